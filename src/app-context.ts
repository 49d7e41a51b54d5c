import type { Logger } from 'pino';
import { createChannels } from './channels/create-channels';
import { parseFromAddress } from './channels/email/create-email-adapter';
import { createNotifyMailer } from './channels/email/notify-mail';
import { smtpFromConfig } from './channels/email/smtp-sender';
import type { ChannelAdapter, ChannelStatus } from './channels/types';
import { type Config, photoLimits } from './config';
import { createEngine } from './conversation/create-engine';
import { type MessageHandler, startEngineThreads } from './conversation/engine-threads';
import type { LlmAssist } from './conversation/llm-assist';
import { type DbHandle, openDatabase } from './db/client';
import { dbKeyValueStore } from './db/kv-store';
import { createQueue } from './jobs/create-queue';
import { DEFAULT_DELIVERY, type DeliveryOptions, OutboxDelivery } from './jobs/deliver-outbox';
import type { Queue } from './jobs/queue';
import { SlaAlertScheduler } from './jobs/sla-alerts';
import type { MediaStore } from './media';
import { runSlaCheck } from './services/sla-alerts';

/** Everything the server shares, built from the configuration (composition root). */
export interface AppContext {
  cfg: Config;
  handle: DbHandle;
  store: MediaStore;
  /** The conversation engine: this thread's, or its threads' (ENGINE_THREADS). */
  engine: MessageHandler;
  /** The model's help when OPENAI_API_KEY or OPENAI_BASE_URL is set; undefined = rules only. */
  llm?: LlmAssist;
  queue: Queue;
  delivery: OutboxDelivery;
  channels: Map<string, ChannelAdapter>;
  /** The daily SLA check (requests near/past the assistance deadline). */
  sla: SlaAlertScheduler;
  today: () => string;
  log: Logger;
  channelStatus(): Record<string, ChannelStatus | { state: 'up' }>;
  /** Start the queue, sweep pending deliveries, start receiving on every channel. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface ContextOptions {
  /** Adapters to use instead of the ones the configuration switches on (tests). */
  channels?: ChannelAdapter[];
  delivery?: Partial<DeliveryOptions>;
  queuePrefix?: string;
  /** An already opened and migrated database (tests); otherwise the configuration's. */
  handle?: DbHandle;
}

export async function createContext(cfg: Config, log: Logger, opts: ContextOptions = {}): Promise<AppContext> {
  const handle = opts.handle ?? (await openDatabase(cfg));
  const { maxAttachmentBytes } = photoLimits(cfg);
  let delivery: OutboxDelivery | undefined;
  const onOutbox = (ids: number[]) => void delivery?.enqueue(ids);
  const { engine: own, store, llm, today } = createEngine(cfg, handle.db, log, onOutbox);
  const threads = await startEngineThreads(cfg, handle, log, onOutbox);
  const engine: MessageHandler = threads ?? own;
  const queue = createQueue({ redisUrl: cfg.REDIS_URL, prefix: opts.queuePrefix ?? cfg.QUEUE_PREFIX, logger: log });
  const kv = dbKeyValueStore(handle.db);
  const list = opts.channels ?? createChannels(cfg, { log, state: kv, maxAttachmentBytes });
  const channels = new Map(list.map((c) => [c.name, c]));
  delivery = new OutboxDelivery(handle.db, queue, channels, log, {
    ...DEFAULT_DELIVERY,
    claimTimeoutMs: cfg.DELIVERY_CLAIM_TIMEOUT_S * 1000,
    backoffMs: cfg.DELIVERY_RETRY_BASE_MS,
    ...opts.delivery,
  });
  const d = delivery;
  const slaTo = cfg.SLA_ALERT_EMAIL;
  const smtp = smtpFromConfig(cfg);
  const notify =
    slaTo && smtp
      ? createNotifyMailer({
          smtp,
          from: parseFromAddress(cfg.MAIL_FROM ?? cfg.SMTP_USER ?? 'posvenda@localhost'),
          log,
        })
      : undefined;
  if (slaTo && !notify) log.warn('SLA_ALERT_EMAIL is set but SMTP_HOST is not: the SLA alert is not e-mailed');
  const sla = new SlaAlertScheduler(
    queue,
    kv,
    async (day) => {
      const list = await runSlaCheck(handle.db, kv, {
        today: day,
        deadlineDays: cfg.ASSISTANCE_DEADLINE_DAYS,
        now: new Date(),
        mail: notify && slaTo ? (m) => notify.send(slaTo, m) : undefined,
        consoleUrl: cfg.PUBLIC_URL,
      });
      const past = list.items.filter((i) => i.mark === 'past').length;
      log.info(
        { day, past, near: list.items.length - past },
        'SLA check: requests past or near the assistance deadline',
      );
    },
    { today, now: () => new Date(), hour: cfg.SLA_ALERT_HOUR },
    log,
  );

  return {
    cfg,
    handle,
    store,
    engine,
    llm,
    queue,
    delivery: d,
    channels,
    sla,
    today,
    log,
    channelStatus() {
      const out: Record<string, ChannelStatus | { state: 'up' }> = { web: { state: 'up' } };
      for (const [name, c] of channels) out[name] = c.status();
      return out;
    },
    async start() {
      await queue.start();
      const swept = await d.sweep();
      if (swept) log.info({ swept }, 'pending outbound messages queued again');
      d.startSweeping();
      sla.start();
      for (const c of channels.values()) {
        // A channel that cannot start (no network, bad credentials) must not stop the others:
        // its status says why, and the adapter keeps retrying on its own.
        c.start((msg) => engine.handle(msg)).catch((err) =>
          log.error({ err, channel: c.name }, 'channel failed to start'),
        );
      }
    },
    async stop() {
      for (const c of channels.values())
        await c.stop().catch((err) => log.error({ err, channel: c.name }, 'channel stop failed'));
      d.stop();
      sla.stop();
      await llm?.idle();
      await threads?.close();
      await queue.close().catch((err) => log.error({ err }, 'queue close failed'));
      await handle.close().catch((err) => log.error({ err }, 'db close failed'));
    },
  };
}
