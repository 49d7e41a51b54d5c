import type { Logger } from 'pino';
import { localDate, startOfLocalDay } from '../../domain/calendar';
import type { UnderstandingContext } from '../signals';
import type { CallOutcome, CallResult, LlmClient } from './llm-client';
import { maskPii } from './mask-pii';
import type { SlotChoices } from './merge-candidates';
import { type Extraction, extractionSchema, type ReviewSummary, reviewSummarySchema } from './model-output';
import { asData, loadPrompt, type PromptTemplate, type RenderedPrompt, renderPrompt } from './prompt-template';

/** One model call as recorded in `llm_calls`. */
export interface LlmCallRecord {
  purpose: 'extract' | 'summary';
  model: string;
  promptVersion: string;
  outcome: CallOutcome;
  error?: string;
  latencyMs: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  conversationId?: string | null;
  messageId?: number | null;
  requestId?: number | null;
  choices?: SlotChoices;
}

/** Where calls are recorded and the day's spend is read (the `llm_calls` table; memory in tests). */
export interface LlmLedger {
  record(call: LlmCallRecord): Promise<void>;
  /** Estimated spend since `since` (the start of the company's day, America/Sao_Paulo), in USD. */
  spentSince(since: Date): Promise<number>;
}

export interface LlmAssistantOptions {
  /** Mask phones, e-mails, CNPJs and CPFs before sending (LLM_MASK_PII). */
  maskPii: boolean;
  /** LLM_DAILY_BUDGET_USD: at or above it only the rules are used until midnight in Brasília. */
  dailyBudgetUsd: number;
  priceInputPer1kUsd: number;
  priceOutputPer1kUsd: number;
  /** How long the day's spend read from the ledger is trusted before reading it again. */
  spendCacheMs?: number;
  now?: () => Date;
}

/** The conversation state the model is told about (trusted, from the system). */
export interface ExtractState {
  phase: string;
  ctx: UnderstandingContext;
}

export interface ExtractAttempt {
  /** The model's answer when the call succeeded and the answer passed the schema. */
  extraction?: Extraction;
  record: LlmCallRecord;
}

export interface SummaryInput {
  protocol: string;
  reasonCategory: string;
  items: { code: string; description: string; mask: string; quantity: number }[];
  /** The customer's own messages, oldest first. */
  customerMessages: string[];
}

export const EXTRACT_PROMPT = { name: 'extract', version: 1 } as const;
export const SUMMARY_PROMPT = { name: 'summary', version: 1 } as const;

/**
 * The model's part of understanding: renders the versioned prompts, masks personal data, keeps the
 * daily budget, prices each call. Every method resolves (never rejects): a failure is a record with
 * its outcome, and the caller goes on with the rules.
 */
export class LlmAssistant {
  private readonly extractPrompt: PromptTemplate;
  private readonly summaryPrompt: PromptTemplate;
  private spend: { day: string; usd: number; readAt: number } | undefined;

  constructor(
    private readonly client: LlmClient,
    private readonly ledger: LlmLedger,
    private readonly opts: LlmAssistantOptions,
    private readonly log: Logger,
  ) {
    this.extractPrompt = loadPrompt(EXTRACT_PROMPT.name, EXTRACT_PROMPT.version);
    this.summaryPrompt = loadPrompt(SUMMARY_PROMPT.name, SUMMARY_PROMPT.version);
  }

  get model(): string {
    return this.client.model;
  }

  private mask(text: string): string {
    return this.opts.maskPii ? maskPii(text) : text;
  }

  /** The exact prompt sent for one message (also compared with a stored file in the tests). */
  renderExtract(text: string, state: ExtractState): RenderedPrompt {
    const { ctx } = state;
    const items = ctx.invoiceItems?.length
      ? ctx.invoiceItems
          .map((i) => `  - code ${i.code}: ${i.description}${i.mask ? ` · ${i.mask}` : ''} (quantity ${i.quantity})`)
          .join('\n')
      : '  (none yet)';
    return renderPrompt(this.extractPrompt, {
      phase: state.phase,
      expecting: ctx.expecting ?? '(nothing in particular)',
      options: ctx.options?.length ? ctx.options.map((o, i) => `${i + 1}. ${o}`).join(' | ') : '(none)',
      invoice_items: items,
      customer_text: asData(this.mask(text)),
    });
  }

  renderSummary(input: SummaryInput): RenderedPrompt {
    return renderPrompt(this.summaryPrompt, {
      protocol: input.protocol,
      reason_category: input.reasonCategory,
      items: input.items
        .map((i) => `  - ${i.code}: ${i.description}${i.mask ? ` · ${i.mask}` : ''} (quantity ${i.quantity})`)
        .join('\n'),
      customer_messages: input.customerMessages.map((m) => `- ${asData(this.mask(m)).replace(/\s+/g, ' ')}`).join('\n'),
    });
  }

  async extract(text: string, state: ExtractState): Promise<ExtractAttempt> {
    const prompt = this.renderExtract(text, state);
    const res = await this.call(prompt, extractionSchema, 'extraction');
    return { extraction: res.data, record: this.recordOf('extract', prompt.version, res) };
  }

  async summarise(input: SummaryInput): Promise<{ summary?: ReviewSummary; record: LlmCallRecord }> {
    const prompt = this.renderSummary(input);
    const res = await this.call(prompt, reviewSummarySchema, 'review_summary');
    return { summary: res.data, record: this.recordOf('summary', prompt.version, res) };
  }

  /** Record a call (after the message's transaction committed); a failure is logged, never thrown. */
  async record(rec: LlmCallRecord): Promise<void> {
    try {
      await this.ledger.record(rec);
    } catch (err) {
      this.log.error({ err, purpose: rec.purpose, outcome: rec.outcome }, 'llm call not recorded');
    }
  }

  private async call<T>(
    prompt: RenderedPrompt,
    schema: import('zod').ZodType<T>,
    name: string,
  ): Promise<CallResult<T>> {
    const empty: CallResult<T> = { outcome: 'budget', latencyMs: 0, inputTokens: 0, outputTokens: 0, attempts: 0 };
    if (!(await this.withinBudget())) return empty;
    const res = await this.client.complete(prompt, schema, name);
    this.addSpend(this.costOf(res));
    if (res.outcome !== 'ok') {
      this.log.warn(
        { outcome: res.outcome, error: res.error, latencyMs: res.latencyMs, attempts: res.attempts, purpose: name },
        'llm call failed: rules only for this message',
      );
    }
    return res;
  }

  private costOf(r: { inputTokens: number; outputTokens: number }): number {
    return (
      (r.inputTokens / 1000) * this.opts.priceInputPer1kUsd + (r.outputTokens / 1000) * this.opts.priceOutputPer1kUsd
    );
  }

  private recordOf<T>(purpose: LlmCallRecord['purpose'], promptVersion: string, r: CallResult<T>): LlmCallRecord {
    return {
      purpose,
      model: this.client.model,
      promptVersion,
      outcome: r.outcome,
      ...(r.error ? { error: r.error } : {}),
      latencyMs: r.latencyMs,
      inputTokens: r.inputTokens,
      outputTokens: r.outputTokens,
      costUsd: this.costOf(r),
    };
  }

  private now(): Date {
    return this.opts.now?.() ?? new Date();
  }

  private async withinBudget(): Promise<boolean> {
    if (this.opts.dailyBudgetUsd <= 0) return false;
    const now = this.now();
    // The company's day (America/Sao_Paulo), as the managers read the usage page: it resets at local midnight.
    const day = localDate(now);
    const stale =
      !this.spend || this.spend.day !== day || now.getTime() - this.spend.readAt > (this.opts.spendCacheMs ?? 30_000);
    if (stale) {
      try {
        const usd = await this.ledger.spentSince(startOfLocalDay(now));
        this.spend = { day, usd, readAt: now.getTime() };
      } catch (err) {
        // Without the day's spend we cannot promise the budget: rules only until it can be read.
        this.log.error({ err }, 'llm spend unreadable');
        return false;
      }
    }
    return (this.spend?.usd ?? 0) < this.opts.dailyBudgetUsd;
  }

  private addSpend(usd: number) {
    if (this.spend) this.spend.usd += usd;
  }
}
