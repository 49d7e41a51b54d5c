import type { Logger } from 'pino';
import { type SmtpSettings, smtpTransport } from './smtp-sender';

/** A plain internal notification (to staff, never to a customer): no threading, no outbox. */
export interface NotifyMailer {
  send(to: string, mail: { subject: string; text: string }): Promise<void>;
}

const SEND_TIMEOUT_MS = 60_000;

/**
 * Internal notifications over the same SMTP server as the e-mail channel (SMTP_*, MAIL_FROM),
 * e.g. the daily SLA alert to the manager. One connection per mail (they are rare), with
 * connection, greeting, socket and overall timeouts; a failure throws (the job retries).
 */
export function createNotifyMailer(opts: {
  smtp: SmtpSettings;
  from: { name?: string; address: string };
  log: Logger;
}): NotifyMailer {
  const { smtp } = opts;
  const transport = smtpTransport(smtp, { pool: false, socketTimeoutMs: 30_000 });
  const log = opts.log.child({ component: 'notify-mail' });
  return {
    async send(to, mail) {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          transport.sendMail({
            from: opts.from.name ? { name: opts.from.name, address: opts.from.address } : opts.from.address,
            to,
            subject: mail.subject,
            text: mail.text,
            headers: { 'Auto-Submitted': 'auto-generated' },
          }),
          new Promise<never>((_, reject) => {
            timer = setTimeout(
              () => reject(new Error(`SMTP send timed out after ${SEND_TIMEOUT_MS} ms`)),
              SEND_TIMEOUT_MS,
            );
          }),
        ]);
        log.info({ to, subject: mail.subject }, 'notification e-mail sent');
      } finally {
        if (timer) clearTimeout(timer);
      }
    },
  };
}
