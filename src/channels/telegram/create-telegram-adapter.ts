import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import { z } from 'zod';
import {
  type ChannelAdapter,
  ChannelSendError,
  type ChannelStatus,
  type Inbound,
  type InboundSink,
  type OutboundMessage,
  type SendResult,
} from '../types';
import { buildTelegramInbound, type InboundFiles } from './build-telegram-inbound';
import { hasWebhookSecret } from './has-webhook-secret';
import { planTelegramUpdates, type TelegramUnit } from './plan-telegram-updates';
import { splitTelegramText } from './split-telegram-text';
import { parseTelegramAddress } from './telegram-address';
import { type DownloadResult, TelegramApiError, TelegramBotApi } from './telegram-bot-api';
import { buildTelegramReplyMarkup, DEFAULT_CONTACT_BUTTON_TEXT } from './telegram-reply-markup';
import { type ParsedUpdate, parseTelegramUpdate } from './telegram-update';

/** Options of {@link createTelegramAdapter}. */
export interface TelegramAdapterOptions {
  /** Bot token from @BotFather. Never logged. */
  token: string;
  /** Bot API root (a local Bot API server, or a fake in tests); default `https://api.telegram.org`. */
  apiRoot?: string;
  /** Webhook mode instead of long polling: Telegram POSTs updates to `url` with `secret` in a header. */
  webhook?: { url: string; secret: string };
  log: Logger;
  /** Largest attachment downloaded, in bytes; larger ones are counted in `refused.tooLarge`. */
  maxAttachmentBytes: number;
  /** Deadline of every Bot API call and download (long polls get theirs on top). Default 15 000. */
  fetchTimeoutMs?: number;
  /** Long-poll duration asked of getUpdates, in seconds (Telegram allows up to 50). Default 30. */
  pollTimeoutSeconds?: number;
  /** How long to wait for the rest of an album once one part arrived. Default 1 000 ms. */
  albumWaitMs?: number;
  /** Label of the share-my-phone button. Default {@link DEFAULT_CONTACT_BUTTON_TEXT}. */
  contactButtonText?: string;
  /** Retry tuning; tests shorten it. */
  retry?: {
    /** Sink attempts per update per round. Default 3. */
    sinkAttempts?: number;
    /** First backoff; doubles each time. Default 500 ms. */
    baseDelayMs?: number;
    /** Backoff ceiling. Default 30 000 ms. */
    maxDelayMs?: number;
    /**
     * Polling rounds an update may fail (each = `sinkAttempts` tries) before it is logged in full at error level
     * and skipped, so one poisoned update cannot hold every later update back forever. Default 10 (~4 min).
     */
    maxRounds?: number;
  };
}

/** A framework-neutral HTTP request, as the HTTP app hands it to {@link TelegramAdapter.webhookHandler}. */
export interface TelegramWebhookRequest {
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

/** What the HTTP app answers to Telegram. */
export interface TelegramWebhookResponse {
  status: number;
  body?: unknown;
}

/** The Telegram channel: a {@link ChannelAdapter} plus the webhook entry point. */
export interface TelegramAdapter extends ChannelAdapter {
  readonly name: 'telegram';
  /**
   * The handler to mount at the webhook path (POST, JSON body). It checks `X-Telegram-Bot-Api-Secret-Token`
   * (wrong or missing → 401, nothing stored), translates the update and answers 200 once the sink stored it —
   * or 500, so Telegram delivers it again later. Answers 404 when the adapter is in polling mode and 503 before
   * `start()`.
   */
  webhookHandler(): (req: TelegramWebhookRequest) => Promise<TelegramWebhookResponse>;
}

const ALLOWED_UPDATES = ['message', 'callback_query'];
/** A 429 asking to wait longer than this fails the send (the outbox retries later) instead of blocking it. */
const MAX_INLINE_WAIT_MS = 3_000;
/** Unfinished multi-part sends remembered (see `send`); old entries go first. */
const MAX_PARTIAL_SENDS = 1_000;
/** At most this many extra polls to collect the rest of an album. */
const MAX_ALBUM_WAITS = 3;

const updatesSchema = z.array(z.unknown());
const sentSchema = z.looseObject({ message_id: z.number().int() });
const meSchema = z.looseObject({ username: z.string().optional() });

/**
 * Create the Telegram channel adapter (CONTRACT §5).
 *
 * Inbound: long polling by default (getUpdates, never dropping pending updates: deleteWebhook keeps them), or a
 * webhook when `webhook` is set. Updates are translated by {@link planTelegramUpdates} and
 * {@link buildTelegramInbound}; only `sink` is called — replies go out later through `send` (the outbox).
 * An update is confirmed to Telegram (the next getUpdates offset moves past it) only after the sink stored it;
 * a failing sink is retried with backoff, the update redelivered on later polls, and after `retry.maxRounds`
 * logged in full and skipped. Updates of different chats are handled in parallel, those of one chat in order.
 *
 * Outbound: plain text (no parse_mode), split at paragraph boundaries above 4 096 characters, options as inline
 * buttons, `askContact` as a reply keyboard with a `request_contact` button (see
 * {@link buildTelegramReplyMarkup}). Errors become {@link ChannelSendError}: 400/403 permanent, the rest not.
 */
export function createTelegramAdapter(opts: TelegramAdapterOptions): TelegramAdapter {
  return new TelegramChannel(opts);
}

class TelegramChannel implements TelegramAdapter {
  readonly name = 'telegram' as const;
  private readonly api: TelegramBotApi;
  private readonly log: Logger;
  private readonly fetchTimeoutMs: number;
  private readonly pollTimeoutSeconds: number;
  private readonly albumWaitMs: number;
  /** Webhook album parts waiting for the rest of their album, by `<chat id>:<media_group_id>`. */
  private readonly webhookAlbums = new Map<
    string,
    { updates: ParsedUpdate[]; timer?: NodeJS.Timeout; done: Promise<boolean>; settle: (ok: boolean) => void }
  >();
  private readonly contactButtonText: string;
  private readonly sinkAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly maxRounds: number;

  private sink?: InboundSink;
  private readonly stopper = new AbortController();
  private stopped = false;
  private running?: Promise<void>;
  private state: ChannelStatus = { state: 'down', detail: 'not started', since: new Date().toISOString() };

  /** Next getUpdates offset: every update below it is stored (or deliberately skipped). */
  private offset = 0;
  /** The offset of the last getUpdates request sent: Telegram confirms every update below it on receipt. */
  private offsetSent = 0;
  /** Updates at or above `offset` already handled, so a batch redelivered after a failure skips them. */
  private readonly done = new Set<number>();
  /** Polling rounds each update has failed. */
  private readonly failedRounds = new Map<number, number>();
  /** Chats that may still show our share-my-phone reply keyboard. */
  private readonly contactKeyboardOpen = new Set<number>();
  /** Per chat: no sendMessage before this time (429 flood control). */
  private readonly cooldownUntil = new Map<number, number>();
  /** outbox id → parts of a split text already delivered, so a retry does not repeat them. */
  private readonly partialSends = new Map<number, { sent: number; lastId?: string }>();

  constructor(private readonly opts: TelegramAdapterOptions) {
    this.log = opts.log;
    this.fetchTimeoutMs = opts.fetchTimeoutMs ?? 15_000;
    this.pollTimeoutSeconds = Math.min(50, Math.max(0, opts.pollTimeoutSeconds ?? 30));
    this.albumWaitMs = opts.albumWaitMs ?? 1_000;
    this.contactButtonText = opts.contactButtonText ?? DEFAULT_CONTACT_BUTTON_TEXT;
    this.sinkAttempts = Math.max(1, opts.retry?.sinkAttempts ?? 3);
    this.baseDelayMs = opts.retry?.baseDelayMs ?? 500;
    this.maxDelayMs = opts.retry?.maxDelayMs ?? 30_000;
    this.maxRounds = Math.max(1, opts.retry?.maxRounds ?? 10);
    this.api = new TelegramBotApi(opts.token, opts.apiRoot ?? 'https://api.telegram.org', this.fetchTimeoutMs);
    this.files = { maxAttachmentBytes: opts.maxAttachmentBytes, download: (fileId) => this.download(fileId) };
  }

  async start(sink: InboundSink): Promise<void> {
    if (this.sink || this.stopped) throw new Error('the Telegram adapter starts once');
    this.sink = sink;
    this.setState('starting', this.opts.webhook ? 'setting the webhook' : 'connecting');
    // Network trouble must not fail the app's start: the loop retries in the background and status() tells.
    const run = this.opts.webhook ? this.registerWebhook(this.opts.webhook) : this.poll();
    this.running = run.catch((e: unknown) => {
      this.log.error({ err: e }, 'telegram: receiving stopped on an unexpected error');
      this.setState('down', `stopped on an error: ${e instanceof Error ? e.message : String(e)}`);
    });
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.stopper.abort();
    // Album parts still waiting: not stored, so Telegram is told to deliver them again (to the next process).
    for (const a of this.webhookAlbums.values()) {
      clearTimeout(a.timer);
      a.settle(false);
    }
    this.webhookAlbums.clear();
    await this.running;
    if (!this.opts.webhook && this.offset > this.offsetSent) {
      // Tell Telegram what the last batch consumed, so the next start does not receive it again (harmless, since
      // the inbox deduplicates, but it would re-download photos).
      await this.api
        .call('getUpdates', { offset: this.offset, limit: 1, timeout: 0 }, { timeoutMs: 5_000 })
        .catch(() => {});
    }
    this.setState('down', 'stopped');
  }

  status(): ChannelStatus {
    return { ...this.state };
  }

  webhookHandler(): (req: TelegramWebhookRequest) => Promise<TelegramWebhookResponse> {
    return async (req) => {
      const hook = this.opts.webhook;
      if (!hook) return { status: 404, body: { error: 'the Telegram webhook is not enabled' } };
      if (!hasWebhookSecret(req.headers, hook.secret)) return { status: 401, body: { error: 'unauthorized' } };
      if (!this.sink || this.stopped) return { status: 503, body: { error: 'the Telegram channel is not running' } };
      const update = parseTelegramUpdate(req.body);
      if (!update) return { status: 400, body: { error: 'not a Telegram update' } };
      // Telegram delivers one update per request and retries it until a 2xx: a 500 keeps it. The parts of an
      // album come one per request: each waits for the rest (albumWaitMs after the latest) to make one unit.
      const m = update.message;
      const ok =
        m?.media_group_id !== undefined
          ? await this.collectAlbumPart(`${m.chat.id}:${m.media_group_id}`, update)
          : await this.handleBatch([update]);
      return ok ? { status: 200 } : { status: 500, body: { error: 'not stored yet; deliver again' } };
    };
  }

  /**
   * Webhook: one album part. The parts gathered until `albumWaitMs` passes without a new one are handled as one
   * batch (one unit for the engine, like a polled album); every part's request is answered with its result.
   */
  private collectAlbumPart(key: string, update: ParsedUpdate): Promise<boolean> {
    let album = this.webhookAlbums.get(key);
    if (!album) {
      let settle: (ok: boolean) => void = () => {};
      const done = new Promise<boolean>((resolve) => {
        settle = resolve;
      });
      album = { updates: [], done, settle };
      this.webhookAlbums.set(key, album);
    }
    const a = album;
    a.updates.push(update);
    clearTimeout(a.timer);
    a.timer = setTimeout(() => {
      this.webhookAlbums.delete(key);
      this.handleBatch(a.updates).then(a.settle, (err: unknown) => {
        this.log.error({ err: errorDetails(err) }, 'telegram: album from the webhook failed');
        a.settle(false);
      });
    }, this.albumWaitMs);
    return a.done;
  }

  async send(msg: OutboundMessage): Promise<SendResult> {
    const chatId = parseTelegramAddress(msg.address);
    if (chatId === undefined) {
      throw new ChannelSendError('not a Telegram address', true, { address: msg.address, outboxId: msg.outboxId });
    }
    const parts = splitTelegramText(msg.text);
    if (!parts.length) throw new ChannelSendError('empty text (Telegram refuses it)', true, { outboxId: msg.outboxId });
    const markup = buildTelegramReplyMarkup(msg, {
      contactButtonText: this.contactButtonText,
      removeKeyboard: this.contactKeyboardOpen.has(chatId),
    });

    const progress = this.partialSends.get(msg.outboxId) ?? { sent: 0 };
    let lastId = progress.lastId;
    for (let i = progress.sent; i < parts.length; i++) {
      const last = i === parts.length - 1;
      // The keyboard goes on the last part: the question the buttons answer is at the end.
      const payload: Record<string, unknown> = { chat_id: chatId, text: parts[i] };
      if (last && markup) payload.reply_markup = markup;
      lastId = await this.sendMessage(chatId, payload);
      if (!last) this.rememberPartial(msg.outboxId, { sent: i + 1, lastId });
    }
    this.partialSends.delete(msg.outboxId);
    if (markup && 'keyboard' in markup) this.contactKeyboardOpen.add(chatId);
    if (markup && 'remove_keyboard' in markup) this.contactKeyboardOpen.delete(chatId);
    return { externalId: lastId };
  }

  // ---------------------------------------------------------------- outbound

  private async sendMessage(chatId: number, payload: Record<string, unknown>): Promise<string | undefined> {
    for (let attempt = 0; ; attempt++) {
      const wait = (this.cooldownUntil.get(chatId) ?? 0) - Date.now();
      if (wait > MAX_INLINE_WAIT_MS) {
        throw new ChannelSendError('Telegram flood control: retry later', false, {
          method: 'sendMessage',
          code: 429,
          retryAfterMs: wait,
        });
      }
      if (wait > 0) await delay(wait);
      else this.cooldownUntil.delete(chatId);
      try {
        const result = await this.api.call('sendMessage', payload);
        const sent = sentSchema.safeParse(result);
        if (!sent.success) this.log.warn({ chatId }, 'telegram: sendMessage answered without a message_id');
        return sent.success ? String(sent.data.message_id) : undefined;
      } catch (e) {
        if (!(e instanceof TelegramApiError))
          throw new ChannelSendError(errorText(e), false, { method: 'sendMessage' });
        const d = e.details;
        if (d.code === 429) {
          const ms = d.retryAfterMs ?? 1_000;
          this.cooldownUntil.set(chatId, Date.now() + ms);
          // A short wait is cheaper here than a job retry with its own backoff; a long one is the outbox's job.
          if (attempt === 0 && ms <= MAX_INLINE_WAIT_MS) continue;
        }
        throw new ChannelSendError(e.message, d.permanent, d);
      }
    }
  }

  private rememberPartial(outboxId: number, p: { sent: number; lastId?: string }) {
    this.partialSends.delete(outboxId);
    this.partialSends.set(outboxId, p);
    if (this.partialSends.size > MAX_PARTIAL_SENDS) {
      const oldest = this.partialSends.keys().next().value;
      if (oldest !== undefined) this.partialSends.delete(oldest);
    }
  }

  // ---------------------------------------------------------------- inbound: webhook

  private async registerWebhook(hook: { url: string; secret: string }): Promise<void> {
    let wait = this.baseDelayMs;
    while (!this.stopped) {
      try {
        await this.api.call(
          'setWebhook',
          { url: hook.url, secret_token: hook.secret, allowed_updates: ALLOWED_UPDATES, drop_pending_updates: false },
          { signal: this.stopper.signal },
        );
        this.setState('up', `webhook ${hook.url}`);
        return;
      } catch (e) {
        if (this.stopped) return;
        this.setState('down', `setWebhook failed: ${errorText(e)}`);
        this.log.warn({ err: errorDetails(e) }, 'telegram: setWebhook failed; retrying');
        wait = await this.backoff(wait, e);
      }
    }
  }

  // ---------------------------------------------------------------- inbound: long polling

  private async poll(): Promise<void> {
    let wait = this.baseDelayMs;
    while (!this.stopped) {
      try {
        const me = meSchema.safeParse(await this.api.call('getMe', {}, { signal: this.stopper.signal }));
        // drop_pending_updates: false — updates that arrived while we were down are customers talking.
        await this.api.call('deleteWebhook', { drop_pending_updates: false }, { signal: this.stopper.signal });
        this.log.info({ bot: me.success ? me.data.username : undefined }, 'telegram: long polling');
        this.setState('up', 'long polling');
        break;
      } catch (e) {
        if (this.stopped) return;
        this.setState('down', `cannot reach the Bot API: ${errorText(e)}`);
        this.log.warn({ err: errorDetails(e) }, 'telegram: start-up call failed; retrying');
        wait = await this.backoff(wait, e);
      }
    }

    wait = this.baseDelayMs;
    let failedRounds = 0;
    while (!this.stopped) {
      let batch: ParsedUpdate[];
      try {
        batch = await this.getUpdates(this.pollTimeoutSeconds);
        if (this.state.state !== 'up') this.setState('up', 'long polling');
        wait = this.baseDelayMs;
      } catch (e) {
        if (this.stopped) return;
        this.setState('down', `getUpdates failed: ${errorText(e)}`);
        this.log.warn({ err: errorDetails(e) }, 'telegram: getUpdates failed; retrying');
        if (e instanceof TelegramApiError && e.details.code === 409 && /webhook/i.test(e.details.description)) {
          // Someone set a webhook (another deployment?): this process is configured for polling.
          await this.api.call('deleteWebhook', { drop_pending_updates: false }).catch(() => {});
        }
        wait = await this.backoff(wait, e);
        continue;
      }
      if (!batch.length) continue;
      batch = await this.completeAlbums(batch);
      if (this.stopped) return;
      const ok = await this.handleBatch(batch);
      if (ok) failedRounds = 0;
      else if (!this.stopped) {
        // The offset did not move past the failed update: the next poll redelivers it. Wait first.
        failedRounds++;
        await this.sleep(Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** failedRounds));
      }
    }
  }

  private async getUpdates(timeoutSeconds: number): Promise<ParsedUpdate[]> {
    const offset = this.offset;
    const raw = await this.api.call(
      'getUpdates',
      { offset, timeout: timeoutSeconds, allowed_updates: ALLOWED_UPDATES },
      { signal: this.stopper.signal, timeoutMs: timeoutSeconds * 1_000 + this.fetchTimeoutMs },
    );
    // Only an answered call proves Telegram saw this offset; a poll aborted by stop() may not have reached it.
    this.offsetSent = offset;
    const list = updatesSchema.safeParse(raw);
    if (!list.success) throw new Error('getUpdates did not answer a list');
    const out: ParsedUpdate[] = [];
    for (const item of list.data) {
      const u = parseTelegramUpdate(item);
      if (u) out.push(u);
      else this.log.warn({ update: item }, 'telegram: update without update_id ignored');
    }
    return out;
  }

  /**
   * A client uploads an album as separate messages that may straddle two getUpdates answers. When a batch holds
   * album parts, wait a moment and ask again with the same offset (nothing is confirmed yet, so Telegram answers
   * the same updates plus any new ones), while new album parts keep coming.
   */
  private async completeAlbums(batch: ParsedUpdate[]): Promise<ParsedUpdate[]> {
    let current = batch;
    for (let i = 0; i < MAX_ALBUM_WAITS && hasAlbumPart(current); i++) {
      await this.sleep(this.albumWaitMs);
      if (this.stopped) return current;
      let again: ParsedUpdate[];
      try {
        again = await this.getUpdates(0);
      } catch {
        return current; // process what we have; the rest comes with the next poll
      }
      const known = Math.max(...current.map((u) => u.updateId));
      const fresh = again.filter((u) => u.updateId > known);
      if (again.length < current.length) return current;
      current = again;
      if (!hasAlbumPart(fresh)) break;
    }
    return current;
  }

  // ---------------------------------------------------------------- inbound: both modes

  /**
   * Store a batch: chats in parallel, each chat's units in order, stopping a chat at its first failure (order
   * matters in a conversation). Moves the offset to the first update not stored. True when all were stored.
   */
  private async handleBatch(batch: ParsedUpdate[]): Promise<boolean> {
    const fresh = batch.filter((u) => !this.done.has(u.updateId));
    const plan = planTelegramUpdates(fresh);
    for (const s of plan.skipped) {
      this.log.debug({ updateId: s.updateId, reason: s.reason }, 'telegram: update skipped');
      if (s.callbackQueryId) await this.answerCallback(s.callbackQueryId);
      this.done.add(s.updateId);
    }
    const byChat = new Map<number, TelegramUnit[]>();
    for (const unit of plan.units) {
      const list = byChat.get(unit.chatId);
      if (list) list.push(unit);
      else byChat.set(unit.chatId, [unit]);
    }
    await Promise.all(
      [...byChat.values()].map(async (units) => {
        for (const unit of units) {
          if (await this.deliver(unit)) {
            for (const id of unit.updateIds) {
              this.done.add(id);
              this.failedRounds.delete(id);
            }
            continue;
          }
          if (this.stopped) return;
          this.countFailure(unit, batch);
          return;
        }
      }),
    );

    const ids = batch.map((u) => u.updateId);
    const pending = ids.filter((id) => !this.done.has(id));
    this.offset = pending.length ? Math.min(...pending) : Math.max(this.offset, ...ids.map((id) => id + 1));
    for (const id of this.done) if (id < this.offset) this.done.delete(id);
    return pending.length === 0;
  }

  /** After `maxRounds` failed rounds give up on a unit, loudly and with the whole update, so it can be replayed. */
  private countFailure(unit: TelegramUnit, batch: ParsedUpdate[]) {
    const first = unit.updateIds[0] ?? 0;
    const rounds = (this.failedRounds.get(first) ?? 0) + 1;
    if (rounds < this.maxRounds) {
      this.failedRounds.set(first, rounds);
      return;
    }
    this.log.error(
      { updateIds: unit.updateIds, rounds, updates: batch.filter((u) => unit.updateIds.includes(u.updateId)) },
      'telegram: UPDATE NOT STORED after repeated failures; skipped (replay it from this log line)',
    );
    for (const id of unit.updateIds) {
      this.done.add(id);
      this.failedRounds.delete(id);
    }
  }

  /** Translate one unit and hand it to the sink, retrying with backoff. True once the sink accepted it. */
  private async deliver(unit: TelegramUnit): Promise<boolean> {
    const sink = this.sink;
    if (!sink) return false;
    if (unit.kind === 'callback') await this.answerCallback(unit.query.id);
    const ctx = { updateIds: unit.updateIds, chatId: unit.chatId };
    let wait = this.baseDelayMs;
    // Translated once (downloads included); only the sink call is repeated.
    let inbound: Inbound | null | undefined;
    for (let attempt = 1; attempt <= this.sinkAttempts; attempt++) {
      try {
        if (inbound === undefined) inbound = await buildTelegramInbound(unit, this.files);
        if (!inbound) {
          this.log.info(ctx, 'telegram: button press without a known button; ignored');
          return true;
        }
        await sink(inbound);
        return true;
      } catch (e) {
        if (this.stopped) return false;
        const last = attempt === this.sinkAttempts;
        this.log[last ? 'error' : 'warn'](
          { ...ctx, attempt, err: e },
          last ? 'telegram: inbound message not stored; will retry on a later poll' : 'telegram: storing failed',
        );
        if (!last) wait = await this.backoff(wait);
      }
    }
    return false;
  }

  /** Answer a button press at once: until then the user's client shows a spinner on the button. */
  private async answerCallback(id: string) {
    try {
      await this.api.call('answerCallbackQuery', { callback_query_id: id });
    } catch (e) {
      // A redelivered press is "too old" to answer: nothing is lost, the press itself is still processed.
      this.log.debug({ err: errorDetails(e) }, 'telegram: answerCallbackQuery failed');
    }
  }

  /** Downloads for {@link buildTelegramInbound}, with a few quick retries for transient failures. */
  private readonly files: InboundFiles;

  private async download(fileId: string): Promise<DownloadResult> {
    let wait = this.baseDelayMs;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.api.download(fileId, this.opts.maxAttachmentBytes, this.stopper.signal);
      } catch (e) {
        if (this.stopped) throw e;
        if (attempt >= 3) {
          // The text still matters: deliver the message with the photo counted as unreadable (the engine asks
          // for it again) rather than hold the whole conversation back.
          this.log.warn({ err: errorDetails(e) }, 'telegram: file download failed; counted as unreadable');
          return { ok: false, reason: 'unreadable' };
        }
        wait = await this.backoff(wait);
      }
    }
  }

  // ---------------------------------------------------------------- helpers

  private setState(state: ChannelStatus['state'], detail: string) {
    if (this.state.state === state && this.state.detail === detail) return;
    this.state = { state, detail, since: this.state.state === state ? this.state.since : new Date().toISOString() };
  }

  /** Sleep `wait` (at least a 429's retry_after), return the next, doubled, backoff. */
  private async backoff(wait: number, e?: unknown): Promise<number> {
    const hinted = e instanceof TelegramApiError ? (e.details.retryAfterMs ?? 0) : 0;
    await this.sleep(Math.max(wait, hinted));
    return Math.min(this.maxDelayMs, wait * 2);
  }

  /** A sleep that `stop()` cuts short, so no timer outlives the adapter. */
  private async sleep(ms: number) {
    await delay(ms, undefined, { signal: this.stopper.signal }).catch(() => {});
  }
}

function hasAlbumPart(batch: ParsedUpdate[]): boolean {
  return batch.some((u) => u.message?.media_group_id !== undefined);
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function errorDetails(e: unknown): unknown {
  return e instanceof TelegramApiError ? e.details : errorText(e);
}
