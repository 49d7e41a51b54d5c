import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A fake OpenAI-compatible chat-completions API over real HTTP (127.0.0.1, a free port), speaking what
 * the `openai` package sends and reads: `POST /v1/chat/completions` with a JSON body
 * (`model`, `messages`, `response_format`), answered with a `chat.completion` object and `usage`, or an
 * OpenAI error body (`{ error: { message, type, code } }`) with its status.
 *
 * Scripting: `enqueue(...)` answers the next requests in order; `respondWith(fn)` answers every other
 * request (default: an empty, schema-valid extraction). Answers can be canned JSON, raw (malformed)
 * content, an HTTP status (500, 429 …), a delay (slower than the client's timeout), or a hang.
 * Every request is recorded (`requests`), so tests assert what was sent (masking, delimiters).
 */
export type FakeAnswer =
  | { json: unknown; usage?: { prompt_tokens: number; completion_tokens: number }; delayMs?: number }
  | { content: string; delayMs?: number }
  | { status: number; message?: string; headers?: Record<string, string>; delayMs?: number }
  | { rawBody: string; delayMs?: number }
  | { hang: true };

export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: {
    model?: string;
    messages?: { role: string; content: string }[];
    response_format?: unknown;
    [k: string]: unknown;
  };
  /** The system and user messages' text. */
  system: string;
  user: string;
  at: number;
}

export const EMPTY_EXTRACTION = {
  intent: null,
  invoice_numbers: [],
  cnpj: null,
  products: [],
  reason: null,
  summary: '',
};

export class FakeOpenAI {
  readonly requests: RecordedRequest[] = [];
  private readonly queue: FakeAnswer[] = [];
  private fallback: (req: RecordedRequest) => FakeAnswer = () => ({ json: EMPTY_EXTRACTION });
  private server?: http.Server;
  private readonly sockets = new Set<Socket>();
  private port = 0;

  static async start(): Promise<FakeOpenAI> {
    const f = new FakeOpenAI();
    await f.listen();
    return f;
  }

  /** What to pass as `baseURL` (OPENAI_BASE_URL). */
  get baseURL(): string {
    return `http://127.0.0.1:${this.port}/v1`;
  }

  /** Answer the next requests with these, in order. */
  enqueue(...answers: FakeAnswer[]): this {
    this.queue.push(...answers);
    return this;
  }

  /** Answer every request without a queued answer with `fn(request)`. */
  respondWith(fn: (req: RecordedRequest) => FakeAnswer): this {
    this.fallback = fn;
    return this;
  }

  /** Requests whose user message (the customer's text) contains `s`. */
  sentWith(s: string): RecordedRequest[] {
    return this.requests.filter((r) => r.user.includes(s));
  }

  private listen(): Promise<void> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    return new Promise((resolve) => {
      this.server!.listen(0, '127.0.0.1', () => {
        this.port = (this.server!.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (req.method !== 'POST' || path !== '/v1/chat/completions') {
      return sendError(res, 404, `Unknown request URL: ${req.method} ${path}`, 'invalid_request_error');
    }
    let body: RecordedRequest['body'];
    try {
      body = JSON.parse(raw);
    } catch {
      return sendError(res, 400, 'We could not parse the JSON body of your request.', 'invalid_request_error');
    }
    if (typeof body.model !== 'string' || !Array.isArray(body.messages)) {
      return sendError(res, 400, "Missing required parameter: 'model' or 'messages'.", 'invalid_request_error');
    }
    const text = (role: string) =>
      (body.messages ?? [])
        .filter((m) => m.role === role)
        .map((m) => String(m.content))
        .join('\n');
    const rec: RecordedRequest = {
      method: req.method,
      path,
      headers: req.headers,
      body,
      system: text('system'),
      user: text('user'),
      at: Date.now(),
    };
    this.requests.push(rec);
    const answer = this.queue.shift() ?? this.fallback(rec);
    if ('hang' in answer) return; // never answers; the client's deadline must end it
    if (answer.delayMs) await new Promise((r) => setTimeout(r, answer.delayMs));
    if (res.destroyed) return;
    if ('status' in answer) {
      if (answer.headers) for (const [k, v] of Object.entries(answer.headers)) res.setHeader(k, v);
      const type =
        answer.status === 429 ? 'rate_limit_exceeded' : answer.status >= 500 ? 'server_error' : 'invalid_request_error';
      return sendError(res, answer.status, answer.message ?? `fake error ${answer.status}`, type);
    }
    if ('rawBody' in answer) {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(answer.rawBody);
    }
    const content = 'json' in answer ? JSON.stringify(answer.json) : answer.content;
    const usage =
      'json' in answer && answer.usage
        ? answer.usage
        : {
            prompt_tokens: Math.ceil((rec.system.length + rec.user.length) / 4),
            completion_tokens: Math.ceil(content.length / 4),
          };
    const completion = {
      id: `chatcmpl-fake${this.requests.length}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: body.model,
      choices: [
        { index: 0, message: { role: 'assistant', content, refusal: null }, logprobs: null, finish_reason: 'stop' },
      ],
      usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
    };
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(completion));
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

function sendError(res: http.ServerResponse, status: number, message: string, type: string) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: { message, type, param: null, code: type } }));
}
