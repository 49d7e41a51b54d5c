import { sql } from 'drizzle-orm';
import { createContext } from './app-context';
import { runCliOnServer } from './cli/commands';
import { cliSocketPath, serveCliSocket } from './cli/server-socket';
import { ConfigError, config, photoLimits } from './config';
import { buildApp } from './http/app';
import { mountChannelRoutes } from './http/channel-routes';
import { loadLayout } from './integrations/erp/focco-export';
import { createLogger } from './logger';

/** Start the server: configuration, database (migrated), queue and delivery, channels, HTTP. */
async function main() {
  let cfg: ReturnType<typeof config>;
  try {
    cfg = config();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(2);
    }
    throw e;
  }
  const log = createLogger(cfg.LOG_LEVEL);
  const ctx = await createContext(cfg, log);
  const app = buildApp({
    db: ctx.handle.db,
    engine: ctx.engine,
    store: ctx.store,
    log,
    today: ctx.today,
    defaultWarrantyMonths: cfg.DEFAULT_WARRANTY_MONTHS,
    maxAttachmentBytes: photoLimits(cfg).maxAttachmentBytes,
    trustProxy: cfg.TRUST_PROXY,
    assistanceDeadlineDays: cfg.ASSISTANCE_DEADLINE_DAYS,
    productionDeadlineDays: cfg.PRODUCTION_DEADLINE_DAYS,
    deliver: (ids) => void ctx.delivery.enqueue(ids),
    retryOutbox: (id) => ctx.delivery.retry(id),
    extraRoutes: (a) => mountChannelRoutes(a, ctx.channels),
    console: {
      db: ctx.handle.db,
      store: ctx.store,
      log,
      today: ctx.today,
      deliver: (ids) => void ctx.delivery.enqueue(ids),
      retryOutbox: (id) => ctx.delivery.retry(id),
      channelStatus: () => ctx.channelStatus(),
      assistanceDeadlineDays: cfg.ASSISTANCE_DEADLINE_DAYS,
      productionDeadlineDays: cfg.PRODUCTION_DEADLINE_DAYS,
      defaultWarrantyMonths: cfg.DEFAULT_WARRANTY_MONTHS,
      ...photoLimits(cfg),
      secureCookies: cfg.PUBLIC_URL?.startsWith('https://') ?? false,
      erp: { layout: loadLayout(cfg.FOCCO_LAYOUT_FILE), companyUf: cfg.COMPANY_UF },
      dailyCapKg: cfg.DAILY_WEIGHT_CAP_KG,
    },
    health: async () => {
      const channels = ctx.channelStatus();
      try {
        await ctx.handle.db.execute(sql`select 1`);
        return { ok: true, database: ctx.handle.kind, queue: ctx.queue.kind, channels };
      } catch (err) {
        log.error({ err }, 'health check failed');
        return { ok: false, database: 'down', queue: ctx.queue.kind, channels };
      }
    },
  });
  await app.listen({ port: cfg.PORT, host: cfg.HOST });
  await ctx.start();
  // The embedded database is this process's alone: `npm run cli` runs its commands here meanwhile.
  let stopCliSocket: (() => Promise<void>) | undefined;
  if (ctx.handle.kind === 'pglite') {
    stopCliSocket = await serveCliSocket(
      cliSocketPath(cfg.DATA_DIR),
      (req) => runCliOnServer(req, ctx.handle, cfg.DEFAULT_WARRANTY_MONTHS),
      log,
    ).catch((err) => {
      log.warn({ err }, 'the CLI cannot reach this server (it will refuse while the server runs)');
      return undefined;
    });
  }
  log.info(
    { port: cfg.PORT, database: ctx.handle.kind, queue: ctx.queue.kind, channels: ['web', ...ctx.channels.keys()] },
    'posvenda listening',
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    await app.close().catch((err) => log.error({ err }, 'http close failed'));
    await stopCliSocket?.();
    await ctx.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
