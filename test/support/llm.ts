import pino from 'pino';
import { LlmAssist } from '../../src/conversation/llm-assist';
import type { Database } from '../../src/db/client';
import { dbLlmLedger } from '../../src/db/llm-calls-repo';
import { LlmAssistant, type LlmAssistantOptions, type LlmLedger } from '../../src/understanding/llm/llm-assistant';
import { LlmClient, type LlmClientOptions } from '../../src/understanding/llm/llm-client';
import type { FakeOpenAI } from './fake-openai';

/** Test settings: a short deadline so fallbacks are quick; everything else as configured by default. */
export type TestLlmOptions = Omit<LlmClientOptions, 'baseURL' | 'now'> & Omit<LlmAssistantOptions, 'now'>;

export const TEST_LLM: TestLlmOptions = {
  apiKey: 'sk-test',
  model: 'gpt-test',
  timeoutMs: 600,
  maxRetries: 1,
  retryDelayMs: 5,
  breakerFailures: 3,
  breakerCooldownMs: 60_000,
  maskPii: true,
  dailyBudgetUsd: 2,
  priceInputPer1kUsd: 0.00015,
  priceOutputPer1kUsd: 0.0006,
  spendCacheMs: 0,
};

export function testAssistant(
  fake: FakeOpenAI,
  ledger: LlmLedger,
  over: Partial<TestLlmOptions> & { now?: () => Date } = {},
): LlmAssistant {
  const { now, ...o } = { ...TEST_LLM, ...over };
  const client = new LlmClient({ ...o, baseURL: fake.baseURL, ...(now ? { now: () => now().getTime() } : {}) });
  return new LlmAssistant(client, ledger, { ...o, ...(now ? { now } : {}) }, pino({ level: 'silent' }));
}

/** For `startTestApp(kind, { llm: llmAgainst(fake) })`: the model's help on the test database. */
export function llmAgainst(fake: FakeOpenAI, over: Partial<TestLlmOptions> = {}) {
  return (db: Database) =>
    new LlmAssist(db, testAssistant(fake, dbLlmLedger(db), over), { maxTextChars: 4000 }, pino({ level: 'silent' }));
}

/** A ledger in memory (unit tests). */
export function memoryLedger(now: () => Date = () => new Date()): LlmLedger & {
  calls: import('../../src/understanding/llm/llm-assistant').LlmCallRecord[];
} {
  const calls: import('../../src/understanding/llm/llm-assistant').LlmCallRecord[] = [];
  /** When each call was recorded, by the given clock: spentSince counts only those at or after `since`. */
  const at: Date[] = [];
  return {
    calls,
    async record(c) {
      calls.push(c);
      at.push(now());
    },
    async spentSince(since) {
      return calls.reduce((s, c, i) => s + ((at[i] ?? now()) >= since ? c.costUsd : 0), 0);
    },
  };
}
