import { gte, sql } from 'drizzle-orm';
import { COMPANY_TIME_ZONE } from '../domain/calendar';
import type { LlmCallRecord, LlmLedger } from '../understanding/llm/llm-assistant';
import type { Executor } from './client';
import { rowsOf } from './client';
import { llmCalls } from './schema';

/** The `llm_calls` table as the assistant's ledger (records calls, sums the day's spend). */
export function dbLlmLedger(db: Executor): LlmLedger {
  return {
    async record(c: LlmCallRecord) {
      await db.insert(llmCalls).values({
        conversationId: c.conversationId ?? null,
        messageId: c.messageId ?? null,
        requestId: c.requestId ?? null,
        purpose: c.purpose,
        model: c.model,
        promptVersion: c.promptVersion,
        outcome: c.outcome,
        error: c.error ?? null,
        latencyMs: c.latencyMs,
        inputTokens: c.inputTokens,
        outputTokens: c.outputTokens,
        costUsd: c.costUsd,
        choices: c.choices ?? null,
      });
    },
    async spentSince(since: Date) {
      const [row] = await db
        .select({ usd: sql<string | number | null>`coalesce(sum(${llmCalls.costUsd}), 0)` })
        .from(llmCalls)
        .where(gte(llmCalls.at, since));
      return Number(row?.usd ?? 0);
    },
  };
}

export interface LlmTotals {
  calls: number;
  ok: number;
  failed: number;
  skipped: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

export interface LlmDayTotals extends LlmTotals {
  day: string;
}

export interface LlmConversationTotals extends LlmTotals {
  conversationId: string;
  protocols: string[];
  lastAt: Date;
}

const totalsSql = sql`count(*)::int as calls,
  count(*) filter (where outcome = 'ok')::int as ok,
  count(*) filter (where outcome not in ('ok', 'budget', 'circuit_open'))::int as failed,
  count(*) filter (where outcome in ('budget', 'circuit_open'))::int as skipped,
  coalesce(sum(input_tokens), 0)::bigint as input_tokens,
  coalesce(sum(output_tokens), 0)::bigint as output_tokens,
  coalesce(sum(cost_usd), 0)::float8 as cost_usd`;

function totalsOf(r: Record<string, unknown>): LlmTotals {
  return {
    calls: Number(r.calls ?? 0),
    ok: Number(r.ok ?? 0),
    failed: Number(r.failed ?? 0),
    skipped: Number(r.skipped ?? 0),
    inputTokens: Number(r.input_tokens ?? 0),
    outputTokens: Number(r.output_tokens ?? 0),
    costUsd: Number(r.cost_usd ?? 0),
  };
}

/** Per company day (America/Sao_Paulo, the day the model's budget counts) since `since`, newest first. */
export async function llmTotalsByDay(db: Executor, since: Date): Promise<LlmDayTotals[]> {
  const rows = rowsOf(
    await db.execute(sql`select to_char(at at time zone ${COMPANY_TIME_ZONE}, 'YYYY-MM-DD') as day, ${totalsSql}
      from ${llmCalls} where at >= ${since.toISOString()}::timestamptz group by 1 order by 1 desc`),
  );
  return rows.map((r) => ({ day: String(r.day), ...totalsOf(r) }));
}

/** Per conversation since `since`, most expensive first, with the protocols opened in it. */
export async function llmTotalsByConversation(db: Executor, since: Date, limit = 50): Promise<LlmConversationTotals[]> {
  const rows = rowsOf(
    await db.execute(sql`select c.conversation_id, max(c.at) as last_at, ${totalsSql},
        coalesce((select array_agg(r.protocol order by r.id) from requests r where r.conversation_id = c.conversation_id), '{}') as protocols
      from ${llmCalls} c where c.at >= ${since.toISOString()}::timestamptz and c.conversation_id is not null
      group by c.conversation_id order by cost_usd desc, calls desc limit ${limit}`),
  );
  return rows.map((r) => ({
    conversationId: String(r.conversation_id),
    lastAt: new Date(String(r.last_at)),
    protocols: Array.isArray(r.protocols) ? r.protocols.map(String) : parsePgArray(r.protocols),
    ...totalsOf(r),
  }));
}

/** postgres.js returns arrays; PGlite may return the text form `{a,b}`. */
function parsePgArray(v: unknown): string[] {
  if (typeof v !== 'string') return [];
  const inner = v.replace(/^\{|\}$/g, '');
  return inner ? inner.split(',').map((s) => s.replace(/^"|"$/g, '')) : [];
}
