import { readFile, stat } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { z } from 'zod';

/** What went wrong in one Bot API call, classified for retry decisions. */
export interface TelegramFailureDetails {
  method: string;
  /**
   * - `api`: Telegram answered `ok: false` (`code` is its `error_code`);
   * - `http`: an HTTP error without a Bot API body (proxy, 5xx page);
   * - `network`: connection refused/reset, DNS…; `timeout`: our deadline passed;
   * - `aborted`: the caller cancelled (adapter stopping);
   * - `invalid`: a 200 whose body is not a Bot API reply.
   */
  kind: 'api' | 'http' | 'network' | 'timeout' | 'aborted' | 'invalid';
  code?: number;
  description: string;
  /** Flood control: wait this long before the next call to that chat (429 `retry_after`). */
  retryAfterMs?: number;
  /** Retrying the same call cannot succeed (400 bad request / chat not found, 403 blocked by the user). */
  permanent: boolean;
}

/** The one error class of the Bot API boundary; `details` never contains the token. */
export class TelegramApiError extends Error {
  constructor(public readonly details: TelegramFailureDetails) {
    super(`Telegram ${details.method}: ${details.code ? `${details.code} ` : ''}${details.description}`);
    this.name = 'TelegramApiError';
  }
}

/** Result of {@link TelegramBotApi.download}. */
export type DownloadResult = { ok: true; bytes: Buffer } | { ok: false; reason: 'too_large' | 'unreadable' };

const replySchema = z.object({
  ok: z.boolean(),
  result: z.unknown().optional(),
  error_code: z.number().optional(),
  description: z.string().optional(),
  parameters: z.object({ retry_after: z.number().optional() }).optional(),
});

const fileSchema = z.object({
  file_id: z.string(),
  file_size: z.number().optional(),
  file_path: z.string().optional(),
});

/**
 * A minimal Telegram Bot API client over Node's `fetch`: `POST <apiRoot>/bot<token>/<method>` with a JSON body,
 * a deadline on every call, replies parsed with zod and failures classified ({@link TelegramApiError}).
 *
 * Why not telegraf's `Telegram` client: its abort signal is typed with the `abort-controller` shim (Node's own
 * `AbortSignal` does not type-check), its per-call timeout is a fixed 500 s, 5xx errors lose the body, and
 * `new URL('./bot…', apiRoot)` silently drops the last path segment of an API root without a trailing slash.
 * The Bot API is a handful of JSON POSTs; owning them keeps timeouts and error classes exact.
 */
export class TelegramBotApi {
  private readonly root: string;

  constructor(
    private readonly token: string,
    apiRoot: string,
    private readonly timeoutMs: number,
  ) {
    this.root = apiRoot.replace(/\/+$/, '');
  }

  /**
   * Call a Bot API method; resolves with its `result` (unparsed: the caller parses what it uses).
   * `timeoutMs` overrides the default deadline (long polls need theirs plus a margin).
   */
  async call(
    method: string,
    payload: Record<string, unknown>,
    opts: { timeoutMs?: number; signal?: AbortSignal } = {},
  ): Promise<unknown> {
    const res = await this.fetch(method, `${this.root}/bot${this.token}/${method}`, opts, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
    });
    let body: unknown;
    try {
      body = await res.json();
    } catch {
      body = undefined;
    }
    const parsed = replySchema.safeParse(body);
    if (!parsed.success) {
      if (res.ok)
        throw new TelegramApiError({
          method,
          kind: 'invalid',
          description: 'reply is not a Bot API object',
          permanent: false,
        });
      throw new TelegramApiError({
        method,
        kind: 'http',
        code: res.status,
        description: res.statusText || 'HTTP error',
        permanent: isPermanentCode(res.status),
      });
    }
    const r = parsed.data;
    if (r.ok) return r.result;
    const code = r.error_code ?? res.status;
    const retryAfter = r.parameters?.retry_after;
    throw new TelegramApiError({
      method,
      kind: 'api',
      code,
      description: this.redact(r.description ?? res.statusText ?? 'error'),
      retryAfterMs: retryAfter !== undefined ? Math.max(0, retryAfter) * 1000 : undefined,
      permanent: isPermanentCode(code),
    });
  }

  /**
   * getFile + download, refusing anything above `maxBytes` without reading it whole (the size Telegram reports
   * first, then the bytes as they stream). Bot API refusals (`file is too big`, invalid file id) are final;
   * network, 5xx and timeouts throw {@link TelegramApiError} so the caller may retry.
   * A local Bot API server (`--local`) answers absolute paths: those are read from disk.
   */
  async download(fileId: string, maxBytes: number, signal?: AbortSignal): Promise<DownloadResult> {
    let raw: unknown;
    try {
      raw = await this.call('getFile', { file_id: fileId }, { signal });
    } catch (e) {
      if (e instanceof TelegramApiError && e.details.permanent) {
        return { ok: false, reason: /too big/i.test(e.details.description) ? 'too_large' : 'unreadable' };
      }
      throw e;
    }
    const file = fileSchema.safeParse(raw);
    if (!file.success || !file.data.file_path) return { ok: false, reason: 'unreadable' };
    if (file.data.file_size !== undefined && file.data.file_size > maxBytes) return { ok: false, reason: 'too_large' };
    const filePath = file.data.file_path;
    if (isAbsolute(filePath)) {
      const st = await stat(filePath).catch(() => null);
      if (!st?.isFile()) return { ok: false, reason: 'unreadable' };
      if (st.size > maxBytes) return { ok: false, reason: 'too_large' };
      return { ok: true, bytes: await readFile(filePath) };
    }
    const method = 'file download';
    const url = `${this.root}/file/bot${this.token}/${filePath.split('/').map(encodeURIComponent).join('/')}`;
    const res = await this.fetch(method, url, { signal }, { method: 'GET' });
    if (!res.ok) {
      await res.body?.cancel().catch(() => {});
      // 4xx: the path is not (or no longer) there; anything else may pass on a retry.
      if (res.status >= 400 && res.status < 500) return { ok: false, reason: 'unreadable' };
      throw new TelegramApiError({
        method,
        kind: 'http',
        code: res.status,
        description: res.statusText,
        permanent: false,
      });
    }
    const declared = Number(res.headers.get('content-length'));
    if (Number.isFinite(declared) && declared > maxBytes) {
      await res.body?.cancel().catch(() => {});
      return { ok: false, reason: 'too_large' };
    }
    const chunks: Buffer[] = [];
    let total = 0;
    try {
      if (res.body) {
        for await (const chunk of res.body) {
          total += chunk.byteLength;
          // Leaving the loop cancels the stream: the rest is never read.
          if (total > maxBytes) return { ok: false, reason: 'too_large' };
          chunks.push(Buffer.from(chunk));
        }
      }
    } catch (e) {
      throw this.networkError(method, e, signal);
    }
    return { ok: true, bytes: Buffer.concat(chunks) };
  }

  private async fetch(
    method: string,
    url: string,
    opts: { timeoutMs?: number; signal?: AbortSignal },
    init: RequestInit,
  ): Promise<Response> {
    const deadline = AbortSignal.timeout(opts.timeoutMs ?? this.timeoutMs);
    const signal = opts.signal ? AbortSignal.any([opts.signal, deadline]) : deadline;
    try {
      return await fetch(url, { ...init, signal });
    } catch (e) {
      throw this.networkError(method, e, opts.signal);
    }
  }

  private networkError(method: string, e: unknown, callerSignal?: AbortSignal): TelegramApiError {
    if (callerSignal?.aborted)
      return new TelegramApiError({ method, kind: 'aborted', description: 'cancelled', permanent: false });
    // Duck-typed on purpose: fetch rejects with a DOMException (not an `Error` in every realm, e.g. under Jest).
    const name = fieldOf(e, 'name');
    if (name === 'TimeoutError' || name === 'AbortError') {
      return new TelegramApiError({ method, kind: 'timeout', description: 'no answer in time', permanent: false });
    }
    // fetch hides the reason in `cause` (ECONNREFUSED, ECONNRESET…); the URL holds the token, so never log it.
    const cause = fieldOf(e, 'cause') ?? e;
    const text = String(fieldOf(cause, 'code') ?? fieldOf(cause, 'message') ?? cause);
    return new TelegramApiError({ method, kind: 'network', description: this.redact(text), permanent: false });
  }

  private redact(s: string): string {
    return this.token ? s.split(this.token).join('<token>') : s;
  }
}

/** A property of an unknown thrown value (undefined when it is not an object). */
function fieldOf(v: unknown, key: string): unknown {
  return typeof v === 'object' && v !== null ? Reflect.get(v, key) : undefined;
}

/**
 * Bot API codes that a retry cannot fix: 400 (chat not found, message too long, bad markup…) and 403 (bot
 * blocked, user deactivated). 401/404 mean a wrong token or API root — fixable by configuration, so the
 * message should wait, not be dropped.
 */
function isPermanentCode(code: number): boolean {
  return code === 400 || code === 403;
}
