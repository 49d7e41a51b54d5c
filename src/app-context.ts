import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from './config';
import { ConversationEngine } from './conversation/inbound';
import { type DbHandle, openDatabase } from './db/client';
import { toIsoDate } from './domain/warranty';
import { MediaStore } from './media';
import { understandRules } from './understanding/rules';

/** Everything the server and the CLI share, built from the configuration (composition root). */
export interface AppContext {
  cfg: Config;
  handle: DbHandle;
  store: MediaStore;
  engine: ConversationEngine;
  today: () => string;
  log: Logger;
}

export async function createContext(cfg: Config, log: Logger, onOutbox?: (ids: number[]) => void): Promise<AppContext> {
  const handle = await openDatabase(cfg);
  const store = new MediaStore(path.join(cfg.DATA_DIR, 'media'));
  const today = () => cfg.TODAY ?? toIsoDate(new Date());
  const engine = new ConversationEngine(
    handle.db,
    store,
    understandRules,
    {
      today,
      defaultWarrantyMonths: cfg.DEFAULT_WARRANTY_MONTHS,
      assistanceDeadlineDays: cfg.ASSISTANCE_DEADLINE_DAYS,
      maxAttachmentBytes: Math.round(cfg.MAX_ATTACHMENT_MB * 1024 * 1024),
      maxImagePixels: Math.round(cfg.MAX_IMAGE_MEGAPIXELS * 1_000_000),
      maxTextChars: 4000,
    },
    log,
    onOutbox,
  );
  return { cfg, handle, store, engine, today, log };
}
