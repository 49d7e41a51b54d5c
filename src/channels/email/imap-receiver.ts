import { type FetchMessageObject, ImapFlow, type MessageStructureObject } from 'imapflow';
import type { Logger } from 'pino';
import PostalMime from 'postal-mime';
import { z } from 'zod';
import type { ChannelStatus, InboundSink, KeyValueStore } from '../types';
import { isIgnoredAttachment, type MailContent, type Translation } from './mail-to-inbound';

/** Where the mail comes from. */
export interface ImapSettings {
  host: string;
  port: number;
  secure: boolean;
  user?: string;
  password?: string;
  mailbox: string;
}

export interface ImapReceiverOptions {
  imap: ImapSettings;
  state: KeyValueStore;
  log: Logger;
  /** How a handled mail is marked: `\Seen`, or `\Seen` and moved to that mailbox. */
  processed: 'flag' | { moveTo: string };
  pollIntervalMs: number;
  maxAttachmentBytes: number;
  translate: (content: MailContent) => Translation;
  onStatus: (state: ChannelStatus['state'], detail?: string) => void;
  /**
   * First start (or a recreated mailbox): only unseen mail that arrived in the last this many days is taken;
   * older unseen mail is left as it is, for people (a shared mailbox may hold months of it). 0 = all of it.
   */
  firstSyncDays: number;
  now?: () => Date;
}

/** What is remembered per mailbox: the mailbox generation and the last UID the sink stored. */
const cursorSchema = z.object({ uidValidity: z.string(), lastUid: z.number().int().nonnegative() });
type Cursor = z.infer<typeof cursorSchema>;

const MAX_TEXT_PART = 2 * 1024 * 1024;
const MAX_BACKOFF_MS = 60_000;
/** A mail the sink keeps refusing is set aside (left unseen and \Flagged) after this many tries and this long. */
const GIVE_UP_ATTEMPTS = 10;
const GIVE_UP_AFTER_MS = 10 * 60_000;

/**
 * The receiving half of the e-mail channel: one IMAP connection (imapflow) that opens the
 * mailbox, hands every mail not yet processed to the sink in UID order, then waits in IDLE
 * (auto-IDLE, woken by `exists`), polls as a fallback and reconnects with backoff.
 *
 * Delivery is at-least-once: the cursor `{ uidValidity, lastUid }` in the KeyValueStore only
 * advances after the sink returned (the sink stores the mail in the inbox first), so a crash
 * repeats at most the mail in flight, and the inbox dedup (externalId) absorbs the repeat.
 */
export class ImapReceiver {
  private client: ImapFlow | undefined;
  private ready = false;
  private generation = 0;
  private sink: InboundSink | undefined;
  private stopped = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private backoffMs = 1000;
  private syncing: Promise<void> | undefined;
  private dirty = false;
  private readonly failures = new Map<string, { count: number; first: number }>();
  private readonly key: string;
  private readonly log: Logger;

  constructor(private readonly opts: ImapReceiverOptions) {
    this.key = `email:${opts.imap.user ?? ''}@${opts.imap.host}/${opts.imap.mailbox}`;
    this.log = opts.log.child({ component: 'imap', mailbox: opts.imap.mailbox });
  }

  /** Connect (first attempt awaited, failures retried in the background) and start the poll timer. */
  async start(sink: InboundSink): Promise<void> {
    this.sink = sink;
    this.stopped = false;
    this.pollTimer = setInterval(() => this.requestSync(), this.opts.pollIntervalMs);
    this.pollTimer.unref();
    await this.connect();
  }

  /** Stop receiving: let the mail in flight finish (bounded), log out, clear every timer. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.pollTimer = undefined;
    this.reconnectTimer = undefined;
    if (this.syncing) await withTimeout(this.syncing, 10_000);
    const client = this.client;
    this.client = undefined;
    this.ready = false;
    this.generation++;
    if (client) {
      await withTimeout(
        client.logout().catch(() => undefined),
        3000,
      );
      client.close();
    }
  }

  /** Check the mailbox now (new mail announced, poll tick, after connecting). */
  requestSync(): void {
    if (this.stopped || !this.ready || !this.sink) return;
    this.dirty = true;
    if (this.syncing) return;
    this.syncing = (async () => {
      while (this.dirty && !this.stopped && this.ready) {
        this.dirty = false;
        try {
          await this.syncOnce();
        } catch (err) {
          // A dropped connection lands here mid-pass; 'close' reconnects and the next pass resumes at the cursor.
          this.log.warn({ err }, 'mailbox pass interrupted');
        }
      }
    })().finally(() => {
      this.syncing = undefined;
      // A request that arrived while the last pass was winding down is not lost.
      if (this.dirty) this.requestSync();
    });
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const gen = ++this.generation;
    const { imap } = this.opts;
    const imapLog = this.log.child({ lib: 'imapflow' });
    const client = new ImapFlow({
      host: imap.host,
      port: imap.port,
      secure: imap.secure,
      auth: imap.user ? { user: imap.user, pass: imap.password ?? '' } : undefined,
      // imapflow's info/debug chatter is per command; only its warnings and errors are worth keeping.
      logger: {
        debug: () => {},
        info: () => {},
        warn: (o: unknown) => imapLog.warn(o),
        error: (o: unknown) => imapLog.error(o),
      },
      connectionTimeout: 20_000,
      greetingTimeout: 15_000,
      // An inactivity watchdog on every command; IDLE is restarted (maxIdleTime) and broken by the poll well before it.
      socketTimeout: 180_000,
      // Short, so IDLE is on almost as soon as a pass ends (new mail is pushed); the default 15 s leaves a blind spot.
      autoIdleDelay: 1500,
      maxIdleTime: 4 * 60_000,
    });
    this.client = client;
    this.ready = false;
    client.on('error', (err: Error) => {
      if (gen === this.generation) this.log.warn({ err }, 'IMAP connection error');
    });
    client.on('close', () => {
      if (gen !== this.generation || this.stopped) return;
      this.ready = false;
      this.client = undefined;
      this.opts.onStatus('down', 'IMAP connection closed; reconnecting');
      this.scheduleReconnect();
    });
    client.on('exists', (ev: { count: number; prevCount: number }) => {
      if (ev.count > ev.prevCount) this.requestSync();
    });
    client.on('mailboxOpen', () => this.requestSync());
    try {
      await client.connect();
      // mailboxOpen (not a lock): imapflow only auto-IDLEs in a mailbox opened this way.
      await client.mailboxOpen(imap.mailbox);
      if (gen !== this.generation) return;
      const dest = this.moveTo();
      if (dest) await this.ensureMailbox(client, dest);
      this.ready = true;
      this.backoffMs = 1000;
      this.opts.onStatus('up');
      this.log.info({ host: imap.host, port: imap.port }, 'IMAP connected');
      this.requestSync();
    } catch (err) {
      if (gen !== this.generation) return;
      this.log.error({ err, host: imap.host, port: imap.port }, 'IMAP connect failed');
      this.opts.onStatus('down', `IMAP: ${err instanceof Error ? err.message : String(err)}`);
      this.client = undefined;
      client.close();
      this.scheduleReconnect();
    }
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.reconnectTimer) return;
    const delay = Math.round(this.backoffMs * (0.8 + Math.random() * 0.4));
    this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.connect().catch((err) => this.log.error({ err }, 'IMAP reconnect failed'));
    }, delay);
    this.reconnectTimer.unref();
  }

  private moveTo(): string | undefined {
    return typeof this.opts.processed === 'object' ? this.opts.processed.moveTo : undefined;
  }

  private async ensureMailbox(client: ImapFlow, path: string): Promise<void> {
    try {
      const list = await client.list();
      if (!list.some((m) => m.path === path)) await client.mailboxCreate(path);
    } catch (err) {
      this.log.warn({ err, path }, 'could not create the mailbox processed mail is moved to');
    }
  }

  /** The first sync's horizon (IMAP SEARCH SINCE counts whole days of the mail's arrival date). */
  private firstSyncSince(): Date | undefined {
    if (this.opts.firstSyncDays <= 0) return undefined;
    const now = this.opts.now?.() ?? new Date();
    return new Date(now.getTime() - this.opts.firstSyncDays * 86_400_000);
  }

  private async readCursor(): Promise<Cursor | undefined> {
    const parsed = cursorSchema.safeParse(await this.opts.state.get<unknown>(this.key));
    return parsed.success ? parsed.data : undefined;
  }

  /**
   * One pass: find what is not processed yet and hand it over, oldest first.
   * Known mailbox generation: every UID above the cursor. First start or a new UIDVALIDITY
   * (mailbox recreated or restored): the unseen mail of the last `firstSyncDays`, since UIDs mean
   * nothing any more; mail that was already handled reaches the sink again and the inbox dedup
   * (externalId) drops it.
   */
  private async syncOnce(): Promise<void> {
    const client = this.client;
    const mailbox = client?.mailbox;
    if (!client || !mailbox || !this.sink) return;
    const uidValidity = String(mailbox.uidValidity);
    const cursor = await this.readCursor();
    let uids: number[];
    let top: number;
    if (cursor && cursor.uidValidity === uidValidity) {
      const found = await client.search({ uid: `${cursor.lastUid + 1}:*` }, { uid: true });
      // "n:*" always includes the highest UID, even below n.
      uids = (found || []).filter((u) => u > cursor.lastUid).sort((a, b) => a - b);
      top = uids[uids.length - 1] ?? cursor.lastUid;
    } else {
      if (cursor)
        this.log.warn({ was: cursor.uidValidity, now: uidValidity }, 'UIDVALIDITY changed: rescanning unseen mail');
      // The top first: mail arriving between the two commands is then above it, a candidate of the next pass.
      const last = mailbox.exists > 0 ? await client.fetchOne('*', { uid: true }) : false;
      const since = this.firstSyncSince();
      const found = await client.search(since ? { seen: false, since } : { seen: false }, { uid: true });
      uids = (found || []).sort((a, b) => a - b);
      if (since) {
        const older = ((await client.search({ seen: false, before: since }, { uid: true })) || []).length;
        if (older)
          this.log.warn(
            { older, since: since.toISOString().slice(0, 10) },
            'first sync: older unseen mail left for people (EMAIL_FIRST_SYNC_DAYS)',
          );
      }
      top = Math.max(last ? last.uid : 0, uids[uids.length - 1] ?? 0);
      // Seen mail below the first unseen one was there before us: the cursor starts past it.
      await this.saveCursor({ uidValidity, lastUid: Math.max(0, (uids[0] ?? top + 1) - 1) });
    }
    for (let i = 0; i < uids.length; i++) {
      if (this.stopped || client !== this.client) return;
      const uid = uids[i] ?? 0;
      const done = await this.processOne(client, uid, uidValidity);
      if (!done) return;
      // Mail between this UID and the next candidate was not a candidate (seen before a rescan): skip past it.
      const next = uids[i + 1];
      await this.saveCursor({ uidValidity, lastUid: next !== undefined ? next - 1 : Math.max(uid, top) });
    }
  }

  private async saveCursor(cursor: Cursor): Promise<void> {
    await this.opts.state.set(this.key, cursor);
  }

  /**
   * Read, translate, hand over and mark one mail. Returns false when the sink failed and the
   * mail must be tried again later (the cursor stays before it). Throws when the connection broke.
   */
  private async processOne(client: ImapFlow, uid: number, uidValidity: string): Promise<boolean> {
    const log = this.log.child({ uid });
    let translation: Translation;
    try {
      const content = await this.read(client, uid);
      if (!content) return true; // expunged meanwhile
      translation = this.opts.translate(content);
    } catch (err) {
      if (!client.usable) throw err;
      // Unreadable mail must not stop the mailbox: set it aside where staff see it.
      log.error({ err }, 'could not read mail; left unseen and flagged');
      await this.mark(client, uid, 'set-aside');
      return true;
    }
    if (translation.kind === 'skip') {
      log.info({ reason: translation.reason }, 'mail not passed to the conversation engine');
      await this.mark(client, uid, 'processed');
      return true;
    }
    const { inbound, notes } = translation;
    if (notes.length) log.warn({ notes, externalId: inbound.externalId }, 'mail read with problems');
    const failureKey = `${uidValidity}:${uid}`;
    try {
      await this.sink?.(inbound);
      this.failures.delete(failureKey);
    } catch (err) {
      const f = this.failures.get(failureKey) ?? { count: 0, first: Date.now() };
      f.count++;
      this.failures.set(failureKey, f);
      if (f.count < GIVE_UP_ATTEMPTS || Date.now() - f.first < GIVE_UP_AFTER_MS) {
        log.error({ err, attempt: f.count, externalId: inbound.externalId }, 'inbound handling failed; will retry');
        return false;
      }
      log.error(
        { err, attempts: f.count, externalId: inbound.externalId },
        'inbound handling keeps failing; mail left unseen and flagged',
      );
      this.failures.delete(failureKey);
      await this.mark(client, uid, 'set-aside');
      return true;
    }
    await this.mark(client, uid, 'processed');
    return true;
  }

  private async mark(client: ImapFlow, uid: number, how: 'processed' | 'set-aside'): Promise<void> {
    const range = String(uid);
    if (how === 'set-aside') {
      if (!(await client.messageFlagsAdd(range, ['\\Flagged'], { uid: true })))
        this.log.warn({ uid }, 'could not flag mail');
      return;
    }
    if (!(await client.messageFlagsAdd(range, ['\\Seen'], { uid: true })))
      this.log.warn({ uid }, 'could not mark mail seen');
    const dest = this.moveTo();
    if (dest && !(await client.messageMove(range, dest, { uid: true })))
      this.log.warn({ uid, dest }, 'could not move mail');
  }

  /** Fetch one mail: whole when reasonably small, else headers + the parts worth downloading. */
  private async read(client: ImapFlow, uid: number): Promise<MailContent | undefined> {
    const meta = await client.fetchOne(String(uid), { uid: true, size: true }, { uid: true });
    if (!meta) return undefined;
    // Up to 4× the attachment limit (base64 inflates by a third, plus a few photos) the whole mail is read at once.
    const fullLimit = 4 * this.opts.maxAttachmentBytes + 1024 * 1024;
    if ((meta.size ?? 0) <= fullLimit) {
      const full = await client.fetchOne(String(uid), { uid: true, source: true }, { uid: true });
      if (full === false) return undefined;
      return full.source ? parseRaw(full.source) : undefined;
    }
    return this.readLarge(client, uid);
  }

  /** A huge mail: never loaded whole; text parts and attachments under the limit are downloaded one by one. */
  private async readLarge(client: ImapFlow, uid: number): Promise<MailContent | undefined> {
    const msg: FetchMessageObject | false = await client.fetchOne(
      String(uid),
      { uid: true, headers: true, bodyStructure: true },
      { uid: true },
    );
    if (!msg) return undefined;
    const headerBlock = msg.headers ?? Buffer.alloc(0);
    const email = await PostalMime.parse(Buffer.concat([headerBlock, Buffer.from('\r\n\r\n')]));
    const plain: string[] = [];
    const html: string[] = [];
    const attachments: PostalMime.Attachment[] = [];
    const notes: string[] = [];
    let tooLarge = 0;
    const leaves: MessageStructureObject[] = [];
    const walk = (n: MessageStructureObject) => {
      if (n.childNodes?.length) for (const c of n.childNodes) walk(c);
      else leaves.push(n);
    };
    if (msg.bodyStructure) walk(msg.bodyStructure);
    for (const leaf of leaves) {
      const type = leaf.type.toLowerCase();
      const part = leaf.part ?? '1';
      const disposition = leaf.disposition?.toLowerCase();
      const filename = leaf.dispositionParameters?.filename ?? leaf.parameters?.name ?? null;
      const size = leaf.size ?? 0;
      if ((type === 'text/plain' || type === 'text/html') && disposition !== 'attachment') {
        if (size > MAX_TEXT_PART) {
          notes.push(`text part ${part} of ${size} bytes not read`);
          continue;
        }
        const text = (await downloadPart(client, uid, part, MAX_TEXT_PART)).toString('utf8');
        (type === 'text/plain' ? plain : html).push(text);
        continue;
      }
      if (isIgnoredAttachment(type, filename)) continue;
      const decoded = leaf.encoding?.toLowerCase() === 'base64' ? Math.floor((size * 3) / 4) : size;
      if (decoded > this.opts.maxAttachmentBytes) {
        tooLarge++;
        continue;
      }
      const content = await downloadPart(client, uid, part, this.opts.maxAttachmentBytes + 1);
      const a: PostalMime.Attachment = { filename, mimeType: type, disposition: disposition ?? null, content };
      if (leaf.id) a.contentId = leaf.id;
      attachments.push(a);
    }
    email.text = plain.length ? plain.join('\n') : undefined;
    email.html = html.length ? html.join('\n') : undefined;
    email.attachments = attachments;
    return { email, hashSource: headerBlock, tooLarge, notes };
  }
}

async function downloadPart(client: ImapFlow, uid: number, part: string, maxBytes: number): Promise<Buffer> {
  const d = await client.download(String(uid), part, { uid: true, maxBytes });
  if (!d.content) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  for await (const chunk of d.content) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/**
 * Parse a raw mail with postal-mime. Why postal-mime: it is maintained (by nodemailer's author),
 * typed, and parses a Buffer we already hold without extra stream machinery, while mailparser is
 * in maintenance mode and its simpleParser buffers everything anyway. Neither sanitises HTML —
 * we never render it, only convert it to text.
 *
 * Malformed MIME: postal-mime is lenient (bad boundaries, bad base64 and unknown charsets still
 * parse); when it does refuse (absurd nesting, huge headers), the headers alone are parsed and
 * whatever readable text the body has is kept, so the customer still gets an answer.
 */
export async function parseRaw(raw: Buffer): Promise<MailContent | undefined> {
  try {
    const email = await PostalMime.parse(raw, { attachmentEncoding: 'arraybuffer' });
    return { email, hashSource: raw, tooLarge: 0, notes: [] };
  } catch (err) {
    const note = `MIME not parsed (${err instanceof Error ? err.message : String(err)}); read as plain text`;
    const split = /\r?\n\r?\n/.exec(raw.toString('latin1'));
    const headerEnd = split ? split.index : raw.length;
    const head = raw.subarray(0, headerEnd);
    const email = await PostalMime.parse(Buffer.concat([head, Buffer.from('\r\n\r\n')]));
    email.text = readableText(raw.subarray(split ? split.index + split[0].length : raw.length));
    email.html = undefined;
    email.attachments = [];
    return { email, hashSource: raw, tooLarge: 0, notes: [note] };
  }
}

/** Lines of a body that look like prose: no MIME headers, boundaries or base64 blocks. */
function readableText(body: Buffer): string {
  return body
    .subarray(0, 200_000)
    .toString('utf8')
    .split(/\r?\n/)
    .filter(
      (l) =>
        !/^--\S*$/.test(l.trim()) &&
        !/^(content-[a-z-]+|mime-version|x-[a-z0-9-]+)\s*:/i.test(l) &&
        !/^\s+[a-z-]+\*?=/i.test(l) &&
        !/^[A-Za-z0-9+/=]{60,}$/.test(l.trim()),
    )
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()
    .slice(0, 20_000);
}

async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), ms)))]);
  } finally {
    if (timer) clearTimeout(timer);
  }
}
