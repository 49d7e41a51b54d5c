import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config';
import { createEmailAdapter } from './email';
import { smtpFromConfig } from './email/smtp-sender';
import { createTelegramAdapter } from './telegram';
import type { ChannelAdapter, KeyValueStore } from './types';
import { createRealWhatsappClient, createWhatsappAdapter } from './whatsapp';

export interface ChannelDeps {
  log: Logger;
  state: KeyValueStore;
  maxAttachmentBytes: number;
}

/**
 * The channels the configuration switches on (CONTRACT §1): Telegram with a bot token, e-mail with
 * IMAP and SMTP hosts, WhatsApp with WHATSAPP_ENABLED. The web chat is always on (HTTP).
 */
export function createChannels(cfg: Config, deps: ChannelDeps): ChannelAdapter[] {
  const out: ChannelAdapter[] = [];
  if (cfg.TELEGRAM_BOT_TOKEN) {
    out.push(
      createTelegramAdapter({
        token: cfg.TELEGRAM_BOT_TOKEN,
        apiRoot: cfg.TELEGRAM_API_ROOT,
        webhook:
          cfg.TELEGRAM_WEBHOOK_URL && cfg.TELEGRAM_WEBHOOK_SECRET
            ? { url: cfg.TELEGRAM_WEBHOOK_URL, secret: cfg.TELEGRAM_WEBHOOK_SECRET }
            : undefined,
        log: deps.log.child({ channel: 'telegram' }),
        maxAttachmentBytes: deps.maxAttachmentBytes,
      }),
    );
  }
  const smtp = smtpFromConfig(cfg);
  if (cfg.IMAP_HOST && smtp) {
    out.push(
      createEmailAdapter({
        imap: {
          host: cfg.IMAP_HOST,
          port: cfg.IMAP_PORT,
          secure: cfg.IMAP_SECURE,
          user: cfg.IMAP_USER,
          password: cfg.IMAP_PASSWORD,
          mailbox: cfg.IMAP_MAILBOX,
        },
        smtp,
        from: cfg.MAIL_FROM ?? cfg.IMAP_USER ?? 'posvenda@localhost',
        state: deps.state,
        log: deps.log.child({ channel: 'email' }),
        maxAttachmentBytes: deps.maxAttachmentBytes,
        processed: cfg.IMAP_PROCESSED_MAILBOX ? { moveTo: cfg.IMAP_PROCESSED_MAILBOX } : 'flag',
        firstSyncDays: cfg.EMAIL_FIRST_SYNC_DAYS,
      }),
    );
  }
  if (cfg.WHATSAPP_ENABLED) {
    out.push(
      createWhatsappAdapter({
        createClient: () =>
          createRealWhatsappClient({ dataDir: path.join(cfg.DATA_DIR, 'whatsapp'), chromiumPath: cfg.CHROMIUM_PATH }),
        log: deps.log.child({ channel: 'whatsapp' }),
        maxAttachmentBytes: deps.maxAttachmentBytes,
        sendGapMs: { min: cfg.WHATSAPP_SEND_GAP_MIN_MS, max: cfg.WHATSAPP_SEND_GAP_MAX_MS },
      }),
    );
  }
  return out;
}
