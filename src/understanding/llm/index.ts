import type { Logger } from 'pino';
import type { Config } from '../../config';
import { LlmAssistant, type LlmLedger } from './llm-assistant';
import { LlmClient } from './llm-client';

export { LlmAssistant, type LlmCallRecord, type LlmLedger } from './llm-assistant';
export { LlmClient } from './llm-client';
export { maskPii } from './mask-pii';
export { mergeCandidates, type SlotChoices } from './merge-candidates';

/** A model is configured when there is a key or a base URL (a local OpenAI-compatible server needs no key). */
export function llmConfigured(cfg: Pick<Config, 'OPENAI_API_KEY' | 'OPENAI_BASE_URL'>): boolean {
  return cfg.OPENAI_API_KEY !== undefined || cfg.OPENAI_BASE_URL !== undefined;
}

/** The assistant for this configuration, or undefined when no model is configured (rules only). */
export function createLlmAssistant(cfg: Config, ledger: LlmLedger, log: Logger): LlmAssistant | undefined {
  if (!llmConfigured(cfg)) return undefined;
  const client = new LlmClient({
    apiKey: cfg.OPENAI_API_KEY,
    baseURL: cfg.OPENAI_BASE_URL,
    model: cfg.OPENAI_MODEL,
    timeoutMs: cfg.LLM_TIMEOUT_MS,
    maxRetries: cfg.LLM_MAX_RETRIES,
    breakerFailures: cfg.LLM_BREAKER_FAILURES,
    breakerCooldownMs: cfg.LLM_BREAKER_COOLDOWN_S * 1000,
  });
  return new LlmAssistant(
    client,
    ledger,
    {
      maskPii: cfg.LLM_MASK_PII,
      dailyBudgetUsd: cfg.LLM_DAILY_BUDGET_USD,
      priceInputPer1kUsd: cfg.LLM_PRICE_INPUT_PER_1K_USD,
      priceOutputPer1kUsd: cfg.LLM_PRICE_OUTPUT_PER_1K_USD,
    },
    log,
  );
}
