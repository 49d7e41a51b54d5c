import { sql } from 'drizzle-orm';
import { createContext } from './app-context';
import { ConfigError, config } from './config';
import { buildApp } from './http/app';
import { createLogger } from './logger';

/** Start the server: configuration, database (migrated), HTTP. */
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
    maxAttachmentBytes: Math.round(cfg.MAX_ATTACHMENT_MB * 1024 * 1024),
    // Only the web chat exists so far; it is delivered by storing.
    deliver: () => {},
    health: async () => {
      try {
        await ctx.handle.db.execute(sql`select 1`);
        return { ok: true, database: ctx.handle.kind, channels: { web: 'up' } };
      } catch (err) {
        log.error({ err }, 'health check failed');
        return { ok: false, database: 'down' };
      }
    },
  });
  await app.listen({ port: cfg.PORT, host: cfg.HOST });
  log.info({ port: cfg.PORT, database: ctx.handle.kind, dataDir: cfg.DATA_DIR }, 'posvenda listening');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    await app.close().catch((err) => log.error({ err }, 'http close failed'));
    await ctx.handle.close().catch((err) => log.error({ err }, 'db close failed'));
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
