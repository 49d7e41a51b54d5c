import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A fake Telegram Bot API over real HTTP (127.0.0.1, a free port), speaking the protocol the adapter uses:
 * `POST /bot<token>/<method>` with a JSON, form or query-string body, answers `{ ok, result }` or
 * `{ ok: false, error_code, description, parameters? }`, and `GET /file/bot<token>/<file_path>`.
 *
 * Methods: getMe, deleteWebhook, setWebhook, getWebhookInfo, getUpdates (long poll; `offset` confirms and drops
 * older updates; one poll at a time, a second one ends the first with 409 like Telegram), sendMessage (validates
 * text and `reply_markup` as Telegram does and records the message), answerCallbackQuery, getFile. Anything else
 * answers 404 "method not found".
 *
 * The customer's side: {@link FakeTelegram.addUser} then `sendText`, `sendPhoto`, `sendAlbum`, `sendDocument`,
 * `sendSticker`, `sendVoice`, `sendLocation`, `sendContact`, `pressButton`, `sendGroupText`, or any raw update with
 * `pushUpdate`. Trouble: `fail` (any status, for N calls), `failWith500`, `rateLimit`, `stall`, `block`,
 * `goDown`/`comeBack`.
 */
export class FakeTelegram {
  readonly botId: number;
  readonly token: string;
  readonly me: { id: number; is_bot: true; first_name: string; username: string };

  /** Every Bot API call received (file downloads excluded), in order. */
  readonly calls: RecordedCall[] = [];
  /** Every message the bot sent, in order. */
  readonly sentMessages: SentMessage[] = [];
  /** Requests the fake refused as the real API would (bad text, markup, chat…). */
  readonly refusals: { method: string; code: number; description: string }[] = [];
  /** Number of getUpdates calls. */
  polls = 0;
  /** The webhook set by setWebhook ('' when none). */
  webhook: { url: string; secretToken?: string; allowedUpdates?: unknown } = { url: '' };

  private server?: http.Server;
  private portNumber = 0;
  private readonly sockets = new Set<Socket>();
  private readonly users = new Map<number, FakeUser>();
  private readonly blocked = new Set<number>();
  private readonly msgIds = new Map<number, number>();
  private readonly botMessages = new Map<string, BotMessageRecord>();
  private queue: QueuedUpdate[] = [];
  private nextUpdateId = 100_000 + crypto.randomInt(0, 100_000);
  private nextUserId = 500_000_000 + crypto.randomInt(0, 1_000_000);
  private allowed: Set<string> | null = null;
  private waiter: Waiter | null = null;
  private readonly files = new Map<string, FakeFile>();
  private readonly filesByPath = new Map<string, FakeFile>();
  private fileSeq = 0;
  private readonly callbacks = new Map<string, { answered: boolean; chatId: number }>();
  private readonly failures = new Map<string, (Failure | null)[]>();

  private constructor() {
    this.botId = 7_000_000_000 + crypto.randomInt(0, 99_999_999);
    this.token = `${this.botId}:AA${crypto.randomBytes(24).toString('base64url')}`;
    this.me = { id: this.botId, is_bot: true, first_name: 'Posvenda', username: 'posvenda_test_bot' };
  }

  /** Start a fake on a free loopback port. */
  static async start(): Promise<FakeTelegram> {
    const fake = new FakeTelegram();
    await fake.listen(0);
    return fake;
  }

  /** The API root to give the adapter (`TELEGRAM_API_ROOT`). */
  get apiRoot(): string {
    return `http://127.0.0.1:${this.portNumber}`;
  }

  /** Stop for good: ends a pending long poll, closes every connection. */
  async stop(): Promise<void> {
    await this.goDown();
  }

  /** Stop listening and cut every connection (the Bot API is unreachable); state is kept for {@link comeBack}. */
  async goDown(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (this.waiter) this.waiter.finish(200, { ok: true, result: [] });
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const s of this.sockets) s.destroy();
    });
  }

  /** Listen again on the same port, after {@link goDown}. */
  async comeBack(): Promise<void> {
    if (this.server) return;
    await this.listen(this.portNumber);
  }

  // ------------------------------------------------------------------ trouble

  /**
   * The next `count` calls of `method` fail with this error (`html: true`: a non-JSON body, like a proxy page),
   * after `after` calls that still succeed. Failures queue up behind earlier ones.
   */
  fail(method: string, count: number, failure: Failure, opts: { after?: number } = {}): void {
    const list = this.failures.get(method.toLowerCase()) ?? [];
    for (let i = 0; i < (opts.after ?? 0); i++) list.push(null);
    for (let i = 0; i < count; i++) list.push(failure);
    this.failures.set(method.toLowerCase(), list);
  }

  /** The next `count` calls of `method` (after `after` good ones) answer 500 Internal Server Error. */
  failWith500(method: string, count = 1, opts: { after?: number } = {}): void {
    this.fail(method, count, { code: 500, description: 'Internal Server Error' }, opts);
  }

  /** The next `count` calls of `method` answer 429 with `retry_after` (seconds). */
  rateLimit(method: string, retryAfterSeconds: number, count = 1): void {
    this.fail(method, count, {
      code: 429,
      description: `Too Many Requests: retry after ${retryAfterSeconds}`,
      retryAfter: retryAfterSeconds,
    });
  }

  /** The next `count` calls of `method` never answer (until the client gives up or the fake stops). */
  stall(method: string, count = 1): void {
    this.fail(method, count, { code: 0, description: 'stall', stall: true });
  }

  /** The user blocked the bot: sendMessage to them answers 403. */
  block(user: FakeUser | number): void {
    this.blocked.add(typeof user === 'number' ? user : user.id);
  }

  // ------------------------------------------------------------------ the customer's side

  /** A Telegram user with a private chat with the bot (chat id = user id). */
  addUser(u: { first_name?: string; last_name?: string; id?: number } = {}): FakeUser {
    const user: FakeUser = {
      id: u.id ?? this.nextUserId++,
      is_bot: false,
      first_name: u.first_name ?? 'Cliente',
      ...(u.last_name ? { last_name: u.last_name } : {}),
      language_code: 'pt-br',
    };
    this.users.set(user.id, user);
    return user;
  }

  /** A text message from the user. */
  sendText(user: FakeUser, text: string): FakeUpdate {
    return this.sendMessageWith(user, { text });
  }

  /**
   * A photo: Telegram's several sizes, smallest first; the largest holds `bytes` exactly, the smaller ones other
   * bytes. `reportedSize` overrides the largest size's `file_size` (to exercise size limits).
   */
  sendPhoto(
    user: FakeUser,
    bytes: Buffer,
    opts: { caption?: string; mediaGroupId?: string; smallerSizes?: number; reportedSize?: number } = {},
  ): FakeUpdate & { largest: FakeFile; smaller: FakeFile[] } {
    const smaller: FakeFile[] = [];
    const sizes: Record<string, unknown>[] = [];
    const n = opts.smallerSizes ?? 2;
    for (let i = 0; i < n; i++) {
      const f = this.addFile(Buffer.concat([Buffer.from(`thumb ${i} of `), bytes.subarray(0, 32)]), 'photos', '.jpg');
      smaller.push(f);
      const side = 90 * (i + 1) ** 2;
      sizes.push({ ...this.fileRef(f), width: side, height: Math.round(side * 0.75) });
    }
    const largest = this.addFile(bytes, 'photos', '.jpg');
    sizes.push({ ...this.fileRef(largest, opts.reportedSize), width: 1280, height: 960 });
    const update = this.sendMessageWith(user, {
      photo: sizes,
      ...(opts.caption ? { caption: opts.caption } : {}),
      ...(opts.mediaGroupId ? { media_group_id: opts.mediaGroupId } : {}),
    });
    return { ...update, largest, smaller };
  }

  /** Several photos as one album: one message each, sharing a media_group_id; the caption on the first. */
  sendAlbum(user: FakeUser, photos: Buffer[], caption?: string): FakeUpdate[] {
    const mediaGroupId = String(crypto.randomInt(1e9, 9e9)) + String(crypto.randomInt(1e8, 9e8));
    return photos.map((p, i) => this.sendPhoto(user, p, { mediaGroupId, caption: i === 0 ? caption : undefined }));
  }

  /** A file sent as a document ("without compression"). */
  sendDocument(
    user: FakeUser,
    bytes: Buffer,
    opts: { fileName: string; mimeType?: string; caption?: string },
  ): FakeUpdate & { file: FakeFile } {
    const file = this.addFile(
      bytes,
      'documents',
      opts.fileName.includes('.') ? `.${opts.fileName.split('.').pop()}` : '',
    );
    const update = this.sendMessageWith(user, {
      document: {
        ...this.fileRef(file),
        file_name: opts.fileName,
        ...(opts.mimeType ? { mime_type: opts.mimeType } : {}),
      },
      ...(opts.caption ? { caption: opts.caption } : {}),
    });
    return { ...update, file };
  }

  /** A sticker. */
  sendSticker(user: FakeUser): FakeUpdate {
    const f = this.addFile(Buffer.from('RIFF....WEBP'), 'stickers', '.webp');
    return this.sendMessageWith(user, {
      sticker: {
        ...this.fileRef(f),
        width: 512,
        height: 512,
        is_animated: false,
        is_video: false,
        type: 'regular',
        emoji: '👍',
      },
    });
  }

  /** A voice note. */
  sendVoice(user: FakeUser): FakeUpdate {
    const f = this.addFile(Buffer.from('OggS voice'), 'voice', '.oga');
    return this.sendMessageWith(user, { voice: { ...this.fileRef(f), duration: 3, mime_type: 'audio/ogg' } });
  }

  /** A location pin. */
  sendLocation(user: FakeUser, latitude = -29.1678, longitude = -51.1794): FakeUpdate {
    return this.sendMessageWith(user, { location: { latitude, longitude } });
  }

  /**
   * A contact card. By default the user's own (what the `request_contact` button sends: `user_id` = the sender);
   * `ownerId` another id for someone else's card, or null for a card with no Telegram account.
   */
  sendContact(
    user: FakeUser,
    phone: string,
    opts: { ownerId?: number | null; firstName?: string; lastName?: string } = {},
  ): FakeUpdate {
    const ownerId = opts.ownerId === undefined ? user.id : opts.ownerId;
    return this.sendMessageWith(user, {
      contact: {
        phone_number: phone,
        first_name: opts.firstName ?? user.first_name,
        ...((opts.lastName ?? (ownerId === user.id ? user.last_name : undefined))
          ? { last_name: opts.lastName ?? user.last_name }
          : {}),
        ...(ownerId !== null ? { user_id: ownerId } : {}),
      },
    });
  }

  /** A message from the user in a group the bot is in (chat type `group`, negative id). */
  sendGroupText(user: FakeUser, text: string, groupId = -1_001_234_567_890): FakeUpdate {
    return this.pushUpdate({
      message: {
        message_id: this.nextMsgId(groupId),
        from: user,
        chat: { id: groupId, title: 'Lojistas', type: 'group' },
        date: now(),
        text,
      },
    });
  }

  /** A message from the user with any fields (text, photo, …). */
  sendMessageWith(user: FakeUser, fields: Record<string, unknown>): FakeUpdate {
    return this.pushUpdate({
      message: {
        message_id: this.nextMsgId(user.id),
        from: user,
        chat: { id: user.id, first_name: user.first_name, type: 'private' },
        date: now(),
        ...fields,
      },
    });
  }

  /**
   * The user presses the inline button labelled `text` on the newest bot message in their chat that has one:
   * a `callback_query` carrying that message (with its keyboard) and the button's callback_data.
   */
  pressButton(user: FakeUser, text: string): FakeUpdate & { callbackQueryId: string } {
    for (let i = this.sentMessages.length - 1; i >= 0; i--) {
      const m = this.sentMessages[i];
      if (!m || m.chatId !== user.id) continue;
      const b = m.inlineButtons.find((x) => x.text === text && x.data !== undefined);
      if (!b) continue;
      const rec = this.botMessages.get(`${m.chatId}:${m.messageId}`);
      const id = String(crypto.randomInt(1e9, 9e9)) + String(crypto.randomInt(1e9, 9e9));
      this.callbacks.set(id, { answered: false, chatId: user.id });
      const update = this.pushUpdate({
        callback_query: {
          id,
          from: user,
          message: rec?.message,
          chat_instance: String(user.id * 7),
          data: b.data,
        },
      });
      return { ...update, callbackQueryId: id };
    }
    throw new Error(`no inline button "${text}" in chat ${user.id}`);
  }

  /** Queue any update (`update_id` assigned when absent). */
  pushUpdate(fields: Record<string, unknown>): FakeUpdate {
    const update = { update_id: this.nextUpdateId++, ...fields };
    const type = Object.keys(fields).find((k) => k !== 'update_id') ?? 'unknown';
    this.enqueue({ id: update.update_id, update, type, forced: false, delivered: 0 });
    return { updateId: update.update_id, update };
  }

  /**
   * Deliver an update again with the same update_id, as Telegram does when the bot did not confirm it (crashed
   * before its next getUpdates). Delivered once even if the offset already passed it.
   */
  redeliver(u: FakeUpdate): void {
    this.enqueue({ id: u.updateId, update: u.update, type: 'redelivery', forced: true, delivered: 0 });
  }

  // ------------------------------------------------------------------ inspection

  /** Messages the bot sent to one chat. */
  sentTo(chat: FakeUser | number): SentMessage[] {
    const id = typeof chat === 'number' ? chat : chat.id;
    return this.sentMessages.filter((m) => m.chatId === id);
  }

  /** Calls of one method (case-insensitive). */
  callsOf(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method.toLowerCase() === method.toLowerCase());
  }

  /** Whether answerCallbackQuery was called for that press. */
  callbackAnswered(id: string): boolean {
    return this.callbacks.get(id)?.answered ?? false;
  }

  /** Updates not yet confirmed by an offset. */
  pendingUpdates(): number {
    return this.queue.length;
  }

  /** Wait until `check` returns a truthy value; rejects after `timeoutMs`. */
  async waitFor<T>(check: () => T | undefined | null | false, timeoutMs = 5_000, what = 'condition'): Promise<T> {
    const t0 = Date.now();
    for (;;) {
      const v = check();
      if (v) return v;
      if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  // ------------------------------------------------------------------ internals

  private async listen(port: number) {
    const server = http.createServer((req, res) => {
      this.handle(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.portNumber = (server.address() as AddressInfo).port;
  }

  private enqueue(q: QueuedUpdate) {
    this.queue.push(q);
    this.queue.sort((a, b) => a.id - b.id);
    // Like Telegram, answer a waiting long poll shortly after something arrives (parts of an album together).
    if (this.waiter && !this.waiter.scheduled) {
      const w = this.waiter;
      w.scheduled = true;
      setTimeout(() => w.flush(), 30);
    }
  }

  private addFile(buf: Buffer, dir: string, ext: string): FakeFile {
    const n = ++this.fileSeq;
    const f: FakeFile = {
      fileId: `F${n}_${crypto.randomBytes(12).toString('base64url')}`,
      fileUniqueId: `U${n}`,
      path: `${dir}/file_${n}${ext}`,
      bytes: buf,
      downloads: 0,
      getFileCalls: 0,
    };
    this.files.set(f.fileId, f);
    this.filesByPath.set(f.path, f);
    return f;
  }

  private fileRef(f: FakeFile, reportedSize?: number) {
    return { file_id: f.fileId, file_unique_id: f.fileUniqueId, file_size: reportedSize ?? f.bytes.length };
  }

  private nextMsgId(chatId: number) {
    const n = (this.msgIds.get(chatId) ?? 0) + 1;
    this.msgIds.set(chatId, n);
    return n;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const reply = (status: number, body: unknown) => {
      const b = Buffer.from(JSON.stringify(body));
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': b.length });
      res.end(b);
    };
    const file = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
    if (file) {
      const f = file[1] === this.token ? this.filesByPath.get(decodeURIComponent(file[2] ?? '')) : undefined;
      if (!f) return reply(404, { ok: false, error_code: 404, description: 'Not Found' });
      f.downloads++;
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': f.bytes.length });
      return res.end(f.bytes);
    }
    const m = /^\/bot([^/]+)\/([A-Za-z]+)\/?$/.exec(url.pathname);
    if (!m) return reply(404, { ok: false, error_code: 404, description: 'Not Found' });
    if (m[1] !== this.token) return reply(401, { ok: false, error_code: 401, description: 'Unauthorized' });
    const method = m[2] ?? '';
    const key = method.toLowerCase();
    const params: Record<string, unknown> = Object.fromEntries(url.searchParams);
    const body = await readBody(req);
    try {
      const ct = String(req.headers['content-type'] ?? '').toLowerCase();
      if (body.length && ct.startsWith('application/json')) Object.assign(params, JSON.parse(body.toString('utf8')));
      else if (body.length && ct.startsWith('application/x-www-form-urlencoded'))
        Object.assign(params, Object.fromEntries(new URLSearchParams(body.toString('utf8'))));
      for (const k of ['reply_markup', 'allowed_updates']) {
        const v = params[k];
        if (typeof v === 'string' && /^\s*[[{]/.test(v)) params[k] = JSON.parse(v);
      }
    } catch (e) {
      return reply(400, { ok: false, error_code: 400, description: `Bad Request: ${(e as Error).message}` });
    }
    this.calls.push({ method, params, at: Date.now() });

    const failure = this.failures.get(key)?.shift();
    if (failure) {
      if (failure.stall) return; // never answered; the socket closes when the client gives up or we stop
      if (failure.html) {
        res.writeHead(failure.code, { 'content-type': 'text/html' });
        return res.end(`<html><body><h1>${failure.code} ${failure.description}</h1></body></html>`);
      }
      return reply(failure.code, {
        ok: false,
        error_code: failure.code,
        description: failure.description,
        ...(failure.retryAfter !== undefined ? { parameters: { retry_after: failure.retryAfter } } : {}),
      });
    }

    if (key === 'getupdates') return this.getUpdates(params, res, reply);
    const out = this.dispatch(key, params);
    if ('error' in out) {
      this.refusals.push({ method, code: out.code, description: out.error });
      return reply(out.code, { ok: false, error_code: out.code, description: out.error });
    }
    return reply(200, { ok: true, result: out.result });
  }

  private dispatch(key: string, p: Record<string, unknown>): { result: unknown } | { error: string; code: number } {
    switch (key) {
      case 'getme':
        return { result: this.me };
      case 'deletewebhook':
        if (p.drop_pending_updates === true || p.drop_pending_updates === 'true') this.queue = [];
        this.webhook = { url: '' };
        return { result: true };
      case 'setwebhook':
        this.webhook = {
          url: String(p.url ?? ''),
          secretToken: p.secret_token === undefined ? undefined : String(p.secret_token),
          allowedUpdates: p.allowed_updates,
        };
        if (p.drop_pending_updates === true || p.drop_pending_updates === 'true') this.queue = [];
        return { result: true };
      case 'getwebhookinfo':
        return {
          result: { url: this.webhook.url, has_custom_certificate: false, pending_update_count: this.queue.length },
        };
      case 'sendmessage':
        return this.sendMessage(p);
      case 'answercallbackquery': {
        const cb = this.callbacks.get(String(p.callback_query_id ?? ''));
        if (!cb || cb.answered) {
          return {
            code: 400,
            error: 'Bad Request: query is too old and response timeout expired or query ID is invalid',
          };
        }
        cb.answered = true;
        return { result: true };
      }
      case 'getfile': {
        const f = this.files.get(String(p.file_id ?? ''));
        if (!f) return { code: 400, error: 'Bad Request: invalid file_id' };
        f.getFileCalls++;
        return {
          result: { file_id: f.fileId, file_unique_id: f.fileUniqueId, file_size: f.bytes.length, file_path: f.path },
        };
      }
      default:
        return { code: 404, error: 'Not Found: method not found' };
    }
  }

  private chatError(chatId: unknown): { error: string; code: number } | undefined {
    if (chatId === undefined || chatId === null || chatId === '')
      return { code: 400, error: 'Bad Request: chat_id is empty' };
    const id = Number(chatId);
    if (!this.users.has(id)) return { code: 400, error: 'Bad Request: chat not found' };
    if (this.blocked.has(id)) return { code: 403, error: 'Forbidden: bot was blocked by the user' };
    return undefined;
  }

  private sendMessage(p: Record<string, unknown>): { result: unknown } | { error: string; code: number } {
    const bad = this.chatError(p.chat_id);
    if (bad) return bad;
    const chatId = Number(p.chat_id);
    const text = typeof p.text === 'string' ? p.text : p.text === undefined ? '' : String(p.text);
    if (!text.trim()) return { code: 400, error: 'Bad Request: message text is empty' };
    if (text.length > 4096) return { code: 400, error: 'Bad Request: message is too long' };
    const kb = parseMarkup(p.reply_markup);
    if ('error' in kb) return { code: 400, error: kb.error };
    const user = this.users.get(chatId);
    const message: Record<string, unknown> = {
      message_id: this.nextMsgId(chatId),
      from: this.me,
      chat: { id: chatId, first_name: user?.first_name, type: 'private' },
      date: now(),
      text,
    };
    if (kb.inline) message.reply_markup = p.reply_markup;
    this.botMessages.set(`${chatId}:${message.message_id}`, { message });
    this.sentMessages.push({
      chatId,
      messageId: Number(message.message_id),
      text,
      replyMarkup: p.reply_markup,
      parseMode: p.parse_mode,
      inlineButtons: kb.inlineButtons,
      keyboardButtons: kb.keyboardButtons,
      contactButton: kb.contactButton,
      removeKeyboard: kb.removeKeyboard,
      at: Date.now(),
    });
    return { result: message };
  }

  private getUpdates(p: Record<string, unknown>, res: http.ServerResponse, reply: (s: number, b: unknown) => void) {
    if (this.webhook.url) {
      return reply(409, {
        ok: false,
        error_code: 409,
        description:
          "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
      });
    }
    this.polls++;
    if (Array.isArray(p.allowed_updates)) {
      this.allowed = p.allowed_updates.length ? new Set(p.allowed_updates.map(String)) : null;
    }
    const offset = Number(p.offset ?? 0);
    // offset confirms every update below it: they are gone for good (a forced redelivery goes out once).
    if (offset > 0) this.queue = this.queue.filter((q) => q.id >= offset || (q.forced && !q.delivered));
    const limit = Math.min(100, Math.max(1, Number(p.limit) || 100));
    const timeout = Math.min(50, Math.max(0, Number(p.timeout) || 0));
    const take = () => {
      this.queue = this.queue.filter((q) => !q.forced || !q.delivered);
      const allowed = this.allowed;
      if (allowed) this.queue = this.queue.filter((q) => q.type === 'redelivery' || allowed.has(q.type));
      const out = this.queue.slice(0, limit);
      for (const q of out) q.delivered++;
      return out.map((q) => q.update);
    };
    if (this.queue.length || timeout === 0) return reply(200, { ok: true, result: take() });
    if (this.waiter) {
      this.waiter.finish(409, {
        ok: false,
        error_code: 409,
        description:
          'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
      });
    }
    const w: Waiter = {
      scheduled: false,
      done: false,
      timer: undefined,
      finish: (status, body) => {
        if (this.waiter === w) this.waiter = null;
        clearTimeout(w.timer);
        if (w.done) return;
        w.done = true;
        try {
          reply(status, body);
        } catch {
          // the client went away
        }
      },
      flush: () => w.finish(200, { ok: true, result: take() }),
    };
    w.timer = setTimeout(() => w.finish(200, { ok: true, result: [] }), timeout * 1000);
    res.on('close', () => {
      if (w.done) return;
      w.done = true;
      clearTimeout(w.timer);
      if (this.waiter === w) this.waiter = null;
    });
    this.waiter = w;
  }
}

/** A Telegram user (also their private chat: chat id = user id). */
export interface FakeUser {
  id: number;
  is_bot: false;
  first_name: string;
  last_name?: string;
  language_code?: string;
}

/** An update the fake queued. */
export interface FakeUpdate {
  updateId: number;
  update: Record<string, unknown>;
}

/** A file the fake serves (getFile + download). */
export interface FakeFile {
  fileId: string;
  fileUniqueId: string;
  path: string;
  bytes: Buffer;
  /** GET /file/bot…/<path> requests served. */
  downloads: number;
  getFileCalls: number;
}

/** A message the bot sent. */
export interface SentMessage {
  chatId: number;
  messageId: number;
  text: string;
  /** As received (object from a JSON body). */
  replyMarkup: unknown;
  parseMode: unknown;
  inlineButtons: { text: string; data?: string }[];
  /** Reply-keyboard buttons other than contact/location requests. */
  keyboardButtons: string[];
  contactButton: boolean;
  removeKeyboard: boolean;
  at: number;
}

/** One Bot API call. */
export interface RecordedCall {
  method: string;
  params: Record<string, unknown>;
  at: number;
}

/** An injected failure. */
export interface Failure {
  code: number;
  description: string;
  /** 429: `parameters.retry_after`, in seconds. */
  retryAfter?: number;
  /** Answer an HTML page instead of a Bot API JSON body. */
  html?: boolean;
  /** Never answer. */
  stall?: boolean;
}

interface QueuedUpdate {
  id: number;
  update: Record<string, unknown>;
  type: string;
  forced: boolean;
  delivered: number;
}

interface BotMessageRecord {
  message: Record<string, unknown>;
}

interface Waiter {
  scheduled: boolean;
  done: boolean;
  timer: NodeJS.Timeout | undefined;
  finish: (status: number, body: unknown) => void;
  flush: () => void;
}

type ParsedMarkup =
  | { error: string }
  | {
      inline: boolean;
      inlineButtons: { text: string; data?: string }[];
      keyboardButtons: string[];
      contactButton: boolean;
      removeKeyboard: boolean;
    };

const INLINE_ACTIONS = [
  'callback_data',
  'url',
  'switch_inline_query',
  'switch_inline_query_current_chat',
  'web_app',
  'login_url',
  'pay',
  'callback_game',
  'copy_text',
];

/** Validate `reply_markup` as the Bot API does (the checks that matter: shapes, texts, callback_data size). */
function parseMarkup(raw: unknown): ParsedMarkup {
  const none = { inline: false, inlineButtons: [], keyboardButtons: [], contactButton: false, removeKeyboard: false };
  if (raw === undefined || raw === null || raw === '') return none;
  const bad = { error: "Bad Request: can't parse reply keyboard markup JSON object" };
  if (typeof raw !== 'object' || Array.isArray(raw)) return bad;
  const m = raw as Record<string, unknown>;
  if (m.inline_keyboard !== undefined) {
    const rows = m.inline_keyboard;
    if (!Array.isArray(rows) || rows.some((r) => !Array.isArray(r))) {
      return { error: 'Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays' };
    }
    const inlineButtons: { text: string; data?: string }[] = [];
    for (const b of rows.flat() as Record<string, unknown>[]) {
      if (!b || typeof b.text !== 'string' || !b.text.trim()) {
        return { error: "Bad Request: can't parse inline keyboard button: Text must be non-empty" };
      }
      if (!INLINE_ACTIONS.some((k) => b[k] !== undefined)) {
        return {
          error: "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard",
        };
      }
      if (b.callback_data !== undefined) {
        const n = Buffer.byteLength(String(b.callback_data));
        if (n < 1 || n > 64) return { error: 'Bad Request: BUTTON_DATA_INVALID' };
      }
      inlineButtons.push({ text: b.text, data: b.callback_data === undefined ? undefined : String(b.callback_data) });
    }
    if (inlineButtons.length > 100) return { error: 'Bad Request: too many inline keyboard buttons' };
    return { ...none, inline: true, inlineButtons };
  }
  if (m.keyboard !== undefined) {
    const rows = m.keyboard;
    if (!Array.isArray(rows) || rows.some((r) => !Array.isArray(r))) {
      return { error: 'Bad Request: field "keyboard" of the ReplyKeyboardMarkup must be an Array of Arrays' };
    }
    const buttons = (rows.flat() as unknown[]).map((b) => (typeof b === 'string' ? { text: b } : (b ?? {}))) as Record<
      string,
      unknown
    >[];
    if (buttons.some((b) => typeof b.text !== 'string' || !b.text.trim())) {
      return { error: "Bad Request: can't parse keyboard button: Text must be non-empty" };
    }
    return {
      ...none,
      keyboardButtons: buttons.filter((b) => !b.request_contact && !b.request_location).map((b) => String(b.text)),
      contactButton: buttons.some((b) => b.request_contact === true),
    };
  }
  if (m.remove_keyboard === true) return { ...none, removeKeyboard: true };
  return none;
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function now() {
  return Math.floor(Date.now() / 1000);
}
