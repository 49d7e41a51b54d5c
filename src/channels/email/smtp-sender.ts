import nodemailer from 'nodemailer';
import type { Logger } from 'pino';
import { z } from 'zod';
import { ChannelSendError, type OutboundMessage, type SendResult } from '../types';
import { renderOutboundMail } from './render-outbound-mail';

/** Where the mail goes out. */
export interface SmtpSettings {
  host: string;
  port: number;
  secure: boolean;
  user?: string;
  password?: string;
}

/** The sending half of the e-mail channel. */
export interface SmtpSender {
  send(msg: OutboundMessage): Promise<SendResult>;
  close(): void;
}

const SEND_TIMEOUT_MS = 90_000;

/** The SMTP_* settings, when SMTP_HOST is set (the e-mail channel and staff notifications share them). */
export function smtpFromConfig(cfg: {
  SMTP_HOST?: string;
  SMTP_PORT: number;
  SMTP_SECURE: boolean;
  SMTP_USER?: string;
  SMTP_PASSWORD?: string;
}): SmtpSettings | undefined {
  if (!cfg.SMTP_HOST) return undefined;
  return {
    host: cfg.SMTP_HOST,
    port: cfg.SMTP_PORT,
    secure: cfg.SMTP_SECURE,
    user: cfg.SMTP_USER,
    password: cfg.SMTP_PASSWORD,
  };
}

/** A nodemailer transport with connection, greeting and socket timeouts; `pool` for bursts. */
export function smtpTransport(smtp: SmtpSettings, opts: { pool: boolean; socketTimeoutMs: number }) {
  return nodemailer.createTransport({
    ...(opts.pool ? { pool: true as const, maxConnections: 2, maxMessages: 100 } : {}),
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    auth: smtp.user ? { user: smtp.user, pass: smtp.password ?? '' } : undefined,
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: opts.socketTimeoutMs,
  });
}

/**
 * A pooled nodemailer SMTP transport (few connections reused across messages: the outbox sends
 * bursts) with connection, greeting and socket timeouts. TLS: `secure` for implicit TLS (465);
 * otherwise STARTTLS is used whenever the server offers it.
 */
export function createSmtpSender(opts: {
  smtp: SmtpSettings;
  from: { name?: string; address: string };
  messageIdDomain: string;
  log: Logger;
}): SmtpSender {
  const { smtp } = opts;
  const transport = smtpTransport(smtp, { pool: true, socketTimeoutMs: 60_000 });
  const log = opts.log.child({ component: 'smtp' });
  return {
    async send(msg) {
      const mail = renderOutboundMail(msg, opts.messageIdDomain);
      let timer: NodeJS.Timeout | undefined;
      try {
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new ChannelSendError(`SMTP send timed out after ${SEND_TIMEOUT_MS} ms`, false)),
            SEND_TIMEOUT_MS,
          );
        });
        await Promise.race([
          transport.sendMail({
            from: opts.from.name ? { name: opts.from.name, address: opts.from.address } : opts.from.address,
            to: msg.address,
            subject: mail.subject,
            messageId: mail.messageId,
            inReplyTo: mail.inReplyTo,
            references: mail.references,
            headers: mail.headers,
            text: mail.text,
            html: mail.html,
          }),
          timeout,
        ]);
        return { externalId: mail.messageId };
      } catch (err) {
        const e = toChannelSendError(err);
        log.warn({ outboxId: msg.outboxId, permanent: e.permanent, err: e.message }, 'SMTP send failed');
        throw e;
      } finally {
        if (timer) clearTimeout(timer);
      }
    },
    close() {
      transport.close();
    },
  };
}

const smtpErrorSchema = z.object({
  message: z.string().optional(),
  code: z.string().optional(),
  responseCode: z.number().optional(),
  command: z.string().optional(),
  response: z.string().optional(),
});

/**
 * Map a nodemailer error: a 5xx answer to the recipient or the message (550 no such user, 552,
 * 554 rejected) is permanent — retrying cannot help; connection errors, timeouts, 4xx (greylisting,
 * mailbox busy) and authentication/configuration errors are not, so the outbox retries them.
 */
export function toChannelSendError(err: unknown): ChannelSendError {
  if (err instanceof ChannelSendError) return err;
  const parsed = smtpErrorSchema.safeParse(err);
  const e = parsed.success ? parsed.data : {};
  const message = e.message ?? String(err);
  const rc = e.responseCode;
  const aboutThisMail = e.code === 'EENVELOPE' || e.code === 'EMESSAGE';
  // EENVELOPE without an SMTP answer: nodemailer refused the address itself (no valid recipient).
  const permanent = aboutThisMail && (rc === undefined ? e.code === 'EENVELOPE' : rc >= 500 && rc < 600);
  return new ChannelSendError(`SMTP: ${message}`, permanent, {
    code: e.code,
    responseCode: rc,
    command: e.command,
    response: e.response,
  });
}
