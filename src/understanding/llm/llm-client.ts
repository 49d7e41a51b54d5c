import OpenAI from 'openai';
import type { z } from 'zod';
import { CircuitBreaker } from './circuit-breaker';
import { jsonSchemaOf } from './model-output';
import type { RenderedPrompt } from './prompt-template';

/** How a model call ended; recorded in `llm_calls.outcome`. Anything but `ok` means "use the rules". */
export type CallOutcome =
  | 'ok'
  | 'timeout'
  | 'http_error'
  | 'rate_limited'
  | 'network_error'
  | 'invalid_json'
  | 'schema_mismatch'
  | 'circuit_open'
  | 'budget';

export interface CallResult<T> {
  outcome: CallOutcome;
  data?: T;
  /** Short description of the failure (status code, zod issue path); never the customer's text. */
  error?: string;
  latencyMs: number;
  inputTokens: number;
  outputTokens: number;
  attempts: number;
}

/** Everything the client needs; built from the configuration (`llmOptionsFrom`). */
export interface LlmClientOptions {
  apiKey?: string;
  baseURL?: string;
  model: string;
  timeoutMs: number;
  /** 0 or 1: a second attempt after a 5xx, 429 or network error. */
  maxRetries: number;
  breakerFailures: number;
  breakerCooldownMs: number;
  /** Pause before the retry (short: the customer is waiting). */
  retryDelayMs?: number;
  now?: () => number;
}

type Failure = { outcome: CallOutcome; error: string; retry: boolean };

/**
 * The one place that talks to an OpenAI-compatible chat-completions endpoint (OpenAI, Ollama, vLLM).
 * A deadline on every attempt (body included), at most one retry, a circuit breaker, and the answer
 * parsed as JSON and checked by zod. It never throws: every failure is an outcome.
 */
export class LlmClient {
  private readonly openai: OpenAI;
  readonly breaker: CircuitBreaker;

  constructor(readonly opts: LlmClientOptions) {
    this.openai = new OpenAI({
      // Local servers (Ollama, vLLM) need no key, but the SDK insists on one.
      apiKey: opts.apiKey ?? 'no-key',
      baseURL: opts.baseURL,
      maxRetries: 0,
      timeout: opts.timeoutMs,
    });
    this.breaker = new CircuitBreaker(opts.breakerFailures, opts.breakerCooldownMs, opts.now);
  }

  get model(): string {
    return this.opts.model;
  }

  async complete<T>(prompt: RenderedPrompt, schema: z.ZodType<T>, schemaName: string): Promise<CallResult<T>> {
    const started = Date.now();
    const result: CallResult<T> = { outcome: 'ok', latencyMs: 0, inputTokens: 0, outputTokens: 0, attempts: 0 };
    if (!this.breaker.tryAcquire()) return { ...result, outcome: 'circuit_open' };
    let failure: Failure | undefined;
    for (let attempt = 0; attempt <= this.opts.maxRetries; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, this.opts.retryDelayMs ?? 200));
      result.attempts++;
      failure = await this.attempt(prompt, schema, schemaName, result);
      if (!failure?.retry) break;
    }
    result.latencyMs = Date.now() - started;
    if (failure) {
      this.breaker.failure();
      return { ...result, outcome: failure.outcome, error: failure.error, data: undefined };
    }
    this.breaker.success();
    return result;
  }

  private async attempt<T>(
    prompt: RenderedPrompt,
    schema: z.ZodType<T>,
    schemaName: string,
    into: CallResult<T>,
  ): Promise<Failure | undefined> {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), this.opts.timeoutMs);
    let content: string | null | undefined;
    try {
      const res = await this.openai.chat.completions.create(
        {
          model: this.opts.model,
          temperature: 0,
          messages: [
            { role: 'system', content: prompt.system },
            { role: 'user', content: prompt.user },
          ],
          response_format: {
            type: 'json_schema',
            json_schema: { name: schemaName, strict: true, schema: jsonSchemaOf(schema) },
          },
        },
        { signal: abort.signal, maxRetries: 0, timeout: this.opts.timeoutMs },
      );
      into.inputTokens += res.usage?.prompt_tokens ?? 0;
      into.outputTokens += res.usage?.completion_tokens ?? 0;
      content = res.choices[0]?.message?.content;
    } catch (err) {
      return classify(err, abort.signal.aborted);
    } finally {
      clearTimeout(timer);
    }
    if (!content) return { outcome: 'invalid_json', error: 'empty answer', retry: false };
    let json: unknown;
    try {
      json = JSON.parse(stripFence(content));
    } catch {
      return { outcome: 'invalid_json', error: 'answer is not JSON', retry: false };
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const where = parsed.error.issues
        .slice(0, 3)
        .map((i) => `${i.path.join('.') || '(root)'}: ${i.code}`)
        .join('; ');
      return { outcome: 'schema_mismatch', error: where.slice(0, 300), retry: false };
    }
    into.data = parsed.data;
    return undefined;
  }
}

/** Some local models wrap JSON in a Markdown fence even in JSON mode. */
function stripFence(s: string): string {
  const m = /^\s*```(?:json)?\s*([\s\S]*?)\s*```\s*$/.exec(s);
  return m?.[1] ?? s;
}

function classify(err: unknown, timedOut: boolean): Failure {
  if (timedOut || err instanceof OpenAI.APIConnectionTimeoutError) {
    // A timeout already took the whole deadline: no retry, the customer is waiting.
    return { outcome: 'timeout', error: 'timeout', retry: false };
  }
  if (err instanceof OpenAI.RateLimitError) return { outcome: 'rate_limited', error: 'HTTP 429', retry: true };
  if (err instanceof OpenAI.APIConnectionError) {
    return { outcome: 'network_error', error: err.message.slice(0, 200), retry: true };
  }
  if (err instanceof OpenAI.APIError) {
    const status = err.status ?? 0;
    return { outcome: 'http_error', error: `HTTP ${status}`, retry: status >= 500 };
  }
  // JSON body the SDK could not read, or anything unexpected: not worth a retry.
  const message = err instanceof Error ? err.message : String(err);
  return { outcome: 'invalid_json', error: message.slice(0, 200), retry: false };
}
