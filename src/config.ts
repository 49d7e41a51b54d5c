import path from 'node:path';
import { z } from 'zod';
import { UFS } from './domain/uf';

/**
 * The only place that reads `process.env` (rule 6). Parsed once; a bad value stops the
 * start with one message naming every bad variable, never printing a value.
 */

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .optional()
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));
const optionalUrl = optionalString.pipe(z.url().optional());
const int = (def: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? String(def) : v.trim()))
    .transform((v, ctx) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `must be a whole number from ${min} to ${max}` });
        return z.NEVER;
      }
      return n;
    });
const num = (def: number, min = 0) =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? String(def) : v.trim().replace(',', '.')))
    .transform((v, ctx) => {
      const n = Number(v);
      if (!Number.isFinite(n) || n < min) {
        ctx.addIssue({ code: 'custom', message: `must be a number ≥ ${min}` });
        return z.NEVER;
      }
      return n;
    });

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).optional().default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional().default('info'),
  PORT: int(3000, 0, 65535),
  HOST: optionalString.transform((v) => v ?? '0.0.0.0'),
  DATA_DIR: optionalString.transform((v) => path.resolve(v ?? './data')),
  PUBLIC_URL: optionalUrl,
  DATABASE_URL: optionalString.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must start with postgres://')
      .optional(),
  ),
  REDIS_URL: optionalString.pipe(
    z
      .string()
      .regex(/^rediss?:\/\//, 'must start with redis://')
      .optional(),
  ),
  /** Redis key prefix for BullMQ (several installations may share one Redis). */
  QUEUE_PREFIX: optionalString.transform((v) => v ?? 'posvenda'),
  /** A send claimed longer ago than this is presumed lost with its process and taken over. */
  DELIVERY_CLAIM_TIMEOUT_S: int(120, 1, 3600),
  /** First retry pause for a failed send; it doubles each time (capped at 5 min), 10 attempts. */
  DELIVERY_RETRY_BASE_MS: int(2000, 10, 600_000),
  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: optionalUrl,
  OPENAI_MODEL: optionalString.transform((v) => v ?? 'gpt-4o-mini'),
  /** One model call's deadline; the rules' result is used when it passes. */
  LLM_TIMEOUT_MS: int(8000, 100, 120_000),
  /** Retries after a 5xx, 429 or network error (never after a timeout or a bad answer): 0 or 1. */
  LLM_MAX_RETRIES: int(1, 0, 1),
  /** Mask phones, e-mails, CNPJs and CPFs before text is sent to the provider (default true). */
  LLM_MASK_PII: z
    .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
    .optional()
    .transform((v) => !(v === 'false' || v === '0' || v === 'no')),
  /** Estimated spend per day (UTC) after which only the rules are used; 0 = no model calls at all. */
  LLM_DAILY_BUDGET_USD: num(2),
  /** Prices per 1000 tokens, for the estimated cost of each call (defaults: gpt-4o-mini). */
  LLM_PRICE_INPUT_PER_1K_USD: num(0.00015),
  LLM_PRICE_OUTPUT_PER_1K_USD: num(0.0006),
  /** Circuit breaker: this many failed calls in a row stop calling for LLM_BREAKER_COOLDOWN_S. */
  LLM_BREAKER_FAILURES: int(3, 1, 100),
  LLM_BREAKER_COOLDOWN_S: int(60, 1, 86_400),
  TELEGRAM_BOT_TOKEN: optionalString,
  TELEGRAM_API_ROOT: optionalUrl,
  TELEGRAM_WEBHOOK_URL: optionalUrl,
  TELEGRAM_WEBHOOK_SECRET: optionalString,
  IMAP_HOST: optionalString,
  IMAP_PORT: int(993, 1, 65535),
  IMAP_SECURE: bool,
  IMAP_USER: optionalString,
  IMAP_PASSWORD: optionalString,
  IMAP_MAILBOX: optionalString.transform((v) => v ?? 'INBOX'),
  /** Move processed mail to this mailbox; unset = flag it (\Seen) and leave it in place. */
  IMAP_PROCESSED_MAILBOX: optionalString,
  /**
   * Behind a reverse proxy (nginx, a load balancer): which hops to trust for the client's address and scheme
   * (X-Forwarded-For / -Proto), as fastify's `trustProxy`: `true`, a hop count, or IPs/CIDRs (comma-separated,
   * or `loopback`). Unset = the direct peer is the client.
   */
  TRUST_PROXY: optionalString.transform((v): boolean | number | string => {
    if (v === undefined || v === 'false') return false;
    if (v === 'true') return true;
    return /^\d+$/.test(v) ? Number(v) : v;
  }),
  /** First start: answer unseen mail of the last this many days only; older unseen mail is left for people (0 = all). */
  EMAIL_FIRST_SYNC_DAYS: int(3, 0, 3650),
  SMTP_HOST: optionalString,
  SMTP_PORT: int(587, 1, 65535),
  SMTP_SECURE: bool,
  SMTP_USER: optionalString,
  SMTP_PASSWORD: optionalString,
  MAIL_FROM: optionalString,
  WHATSAPP_ENABLED: bool,
  CHROMIUM_PATH: optionalString.transform((v) => v ?? '/usr/bin/chromium'),
  /** Human-like pause between two WhatsApp messages to one chat, in ms. */
  WHATSAPP_SEND_GAP_MIN_MS: int(1000, 0, 60_000),
  WHATSAPP_SEND_GAP_MAX_MS: int(2500, 0, 60_000),
  DEFAULT_WARRANTY_MONTHS: int(12, 0, 600),
  DAILY_WEIGHT_CAP_KG: num(400, 1),
  /** The company's state (UF): the ERP hand-off's default CFOP is "inside" or "outside" it. */
  COMPANY_UF: optionalString
    .transform((v) => (v ?? 'RS').toUpperCase())
    .pipe(z.enum(UFS, { error: 'must be a Brazilian state abbreviation such as RS' })),
  /** The company's own FOCCO import layout (JSON); default: src/integrations/erp/focco-layout.default.json. */
  FOCCO_LAYOUT_FILE: optionalString,
  ASSISTANCE_DEADLINE_DAYS: int(9, 1, 365),
  PRODUCTION_DEADLINE_DAYS: int(15, 1, 365),
  /** Manager's address for the daily SLA alert e-mail (needs SMTP_HOST); unset = list on the queue page only. */
  SLA_ALERT_EMAIL: optionalString.pipe(z.email('must be an e-mail address').optional()),
  /** Hour of the day (America/Sao_Paulo, 0–23) from which the daily SLA check runs. */
  SLA_ALERT_HOUR: int(7, 0, 23),
  MAX_ATTACHMENT_MB: num(10, 0.1),
  /** Conversation engine threads (PostgreSQL only; 0 = the main thread runs messages). docs/decisions.md §23. */
  ENGINE_THREADS: int(0, 0, 16),
  MAX_IMAGE_MEGAPIXELS: num(50, 0.1),
  /** Fixed "today" (YYYY-MM-DD) for demos and evaluations; normally unset. */
  TODAY: optionalString.pipe(
    z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD')
      .optional(),
  ),
});

export type Config = z.infer<typeof envSchema>;

export class ConfigError extends Error {
  constructor(public readonly variables: string[]) {
    super(`Invalid configuration: ${variables.join('; ')}. See .env.example.`);
    this.name = 'ConfigError';
  }
}

/** Parse an environment (default: the process's). Throws ConfigError naming every bad variable. */
export function parseConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = envSchema.safeParse(env);
  if (!result.success) {
    // Name the variable and the rule broken; never echo the value (it may be a secret).
    const bad = result.error.issues.map((i) => `${String(i.path[0])} (${i.message})`);
    throw new ConfigError([...new Set(bad)]);
  }
  return result.data;
}

let cached: Config | undefined;

/** The process configuration, parsed once. */
export function config(): Config {
  cached ??= parseConfig();
  return cached;
}

/** The photo limits in the units the code checks: bytes (MAX_ATTACHMENT_MB) and pixels (MAX_IMAGE_MEGAPIXELS). */
export function photoLimits(cfg: Pick<Config, 'MAX_ATTACHMENT_MB' | 'MAX_IMAGE_MEGAPIXELS'>): {
  maxAttachmentBytes: number;
  maxImagePixels: number;
} {
  return {
    maxAttachmentBytes: Math.round(cfg.MAX_ATTACHMENT_MB * 1024 * 1024),
    maxImagePixels: Math.round(cfg.MAX_IMAGE_MEGAPIXELS * 1_000_000),
  };
}
