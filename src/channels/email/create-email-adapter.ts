import type { Logger } from 'pino';
import PostalMime from 'postal-mime';
import type { ChannelAdapter, ChannelStatus, KeyValueStore } from '../types';
import { ImapReceiver, type ImapSettings } from './imap-receiver';
import { mailToInbound } from './mail-to-inbound';
import { parseOwnMessageId } from './own-message-id';
import { createSmtpSender, type SmtpSettings } from './smtp-sender';

/** Everything the e-mail channel needs; `main.ts` builds it from IMAP_*, SMTP_*, MAIL_FROM. */
export interface EmailAdapterOptions {
  imap: ImapSettings;
  smtp: SmtpSettings;
  /** Our address, `address` or `Name <address>` (MAIL_FROM). */
  from: string;
  /** Durable cursor per mailbox (UIDVALIDITY + last UID). */
  state: KeyValueStore;
  log: Logger;
  /** Larger attachments are not passed on but counted in `refused.tooLarge`. */
  maxAttachmentBytes: number;
  /** How handled mail is marked: `\Seen` ('flag'), or `\Seen` and moved to another mailbox. */
  processed: 'flag' | { moveTo: string };
  /** Domain of our Message-IDs; default the domain of `from`. */
  messageIdDomain?: string;
  /** Fallback poll when IDLE misses something; default 30 s. */
  pollIntervalMs?: number;
  /** First start: unseen mail of the last this many days only (EMAIL_FIRST_SYNC_DAYS; 0 = all); default 3. */
  firstSyncDays?: number;
  now?: () => Date;
}

/** Split MAIL_FROM (`address` or `Name <address>`) into name and lower-case address (the raw value when unparsable). */
export function parseFromAddress(from: string): { name?: string; address: string } {
  for (const a of PostalMime.addressParser(from)) {
    const box = a.group ? a.group[0] : a;
    if (box?.address) {
      const out: { name?: string; address: string } = { address: box.address.trim().toLowerCase() };
      if (box.name?.trim()) out.name = box.name.trim();
      return out;
    }
  }
  // Not worth refusing to start over: the configuration check (config.ts) owns validation.
  return { address: from.trim().toLowerCase() };
}

/**
 * The e-mail channel (name 'email'): IMAP in (imapflow; unseen mail at start, then IDLE with a
 * polling fallback, reconnect with backoff, cursor in `state`), SMTP out (nodemailer pool).
 * Auto-replies, bounces, list mail and our own mail never reach the sink; quoted history and
 * signatures are cut before it. See `mail-to-inbound.ts` and `imap-receiver.ts` for the rules.
 */
export function createEmailAdapter(opts: EmailAdapterOptions): ChannelAdapter {
  const from = parseFromAddress(opts.from);
  const domain = opts.messageIdDomain ?? from.address.split('@')[1] ?? 'localhost';
  let status: ChannelStatus = { state: 'starting', since: new Date().toISOString() };
  const setStatus = (state: ChannelStatus['state'], detail?: string) => {
    if (status.state === state && status.detail === detail) return;
    status = { state, since: state === status.state ? status.since : new Date().toISOString() };
    if (detail) status.detail = detail;
  };
  const receiver = new ImapReceiver({
    imap: opts.imap,
    state: opts.state,
    log: opts.log,
    processed: opts.processed,
    pollIntervalMs: opts.pollIntervalMs ?? 30_000,
    firstSyncDays: opts.firstSyncDays ?? 3,
    now: opts.now,
    maxAttachmentBytes: opts.maxAttachmentBytes,
    onStatus: setStatus,
    translate: (content) =>
      mailToInbound(content, {
        ownAddress: from.address,
        maxAttachmentBytes: opts.maxAttachmentBytes,
        isOwnMessageId: (id) => parseOwnMessageId(id) !== undefined,
      }),
  });
  const sender = createSmtpSender({ smtp: opts.smtp, from, messageIdDomain: domain, log: opts.log });
  let stopped = false;

  return {
    name: 'email',
    async start(sink) {
      stopped = false;
      setStatus('starting');
      await receiver.start(sink);
    },
    send: (msg) => sender.send(msg),
    async stop() {
      if (stopped) return;
      stopped = true;
      await receiver.stop();
      sender.close();
      setStatus('down', 'stopped');
    },
    status: () => ({ ...status }),
  };
}
