import path from 'node:path';
import type { Logger } from 'pino';
import { type Config, photoLimits } from '../config';
import type { Database } from '../db/client';
import { dbLlmLedger } from '../db/llm-calls-repo';
import { localDate } from '../domain/calendar';
import { MediaStore } from '../media';
import { createLlmAssistant } from '../understanding/llm';
import { understandRules } from '../understanding/rules';
import { ConversationEngine, type OnOutbox } from './inbound';
import { LlmAssist } from './llm-assist';

/** Longest text understood; the rest is stored but not analysed. */
const MAX_TEXT_CHARS = 4000;

/**
 * The conversation engine as the configuration describes it (media store, limits, the model when configured).
 * One place for the server's own engine and the engine threads' (src/conversation/engine-threads.ts).
 */
export function createEngine(
  cfg: Config,
  db: Database,
  log: Logger,
  onOutbox: OnOutbox,
): { engine: ConversationEngine; store: MediaStore; llm?: LlmAssist; today: () => string } {
  const store = new MediaStore(path.join(cfg.DATA_DIR, 'media'));
  const today = () => cfg.TODAY ?? localDate(new Date());
  const assistant = createLlmAssistant(cfg, dbLlmLedger(db), log);
  const llm = assistant ? new LlmAssist(db, assistant, { maxTextChars: MAX_TEXT_CHARS }, log) : undefined;
  if (assistant)
    log.info({ model: assistant.model, baseURL: cfg.OPENAI_BASE_URL ?? 'api.openai.com' }, 'llm understanding on');
  const engine = new ConversationEngine(
    db,
    store,
    understandRules,
    {
      today,
      defaultWarrantyMonths: cfg.DEFAULT_WARRANTY_MONTHS,
      assistanceDeadlineDays: cfg.ASSISTANCE_DEADLINE_DAYS,
      ...photoLimits(cfg),
      maxTextChars: MAX_TEXT_CHARS,
    },
    log,
    onOutbox,
    llm,
  );
  return { engine, store, llm, today };
}
