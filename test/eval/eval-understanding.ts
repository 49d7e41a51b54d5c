/**
 * `npm run eval:understanding [-- --limit N]`: the labelled fixtures (test/fixtures/understanding) through
 * the rules alone and through rules + model, per-field accuracy side by side. Needs OPENAI_API_KEY or
 * OPENAI_BASE_URL (any OpenAI-compatible server); uses the same settings as the server (config.ts).
 * Calls are not recorded in the database; LLM_DAILY_BUDGET_USD still caps this run's estimated spend.
 */
import pino from 'pino';
import { ConfigError, config } from '../../src/config';
import { createLlmAssistant, type LlmCallRecord, llmConfigured, mergeCandidates } from '../../src/understanding/llm';
import { understandRules } from '../../src/understanding/rules';
import type { Signals } from '../../src/understanding/signals';
import holdout from '../fixtures/understanding/holdout.json';
import messages from '../fixtures/understanding/messages.json';
import { type Field, type Fixture, fieldMatches } from '../unit/understanding/fixture-eval';

const INTAKE = new Set(['invoice', 'items', 'quantity', 'reason', 'reason_category', 'photos', 'confirm']);

async function main(): Promise<number> {
  let cfg: ReturnType<typeof config>;
  try {
    cfg = config();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      return 2;
    }
    throw e;
  }
  if (!llmConfigured(cfg)) {
    console.error(
      'eval:understanding needs a model: set OPENAI_API_KEY (OpenAI) or OPENAI_BASE_URL (an OpenAI-compatible server such as Ollama or vLLM), and OPENAI_MODEL. Nothing was evaluated.',
    );
    return 2;
  }
  const limitArg = process.argv.indexOf('--limit');
  const limit = limitArg > 0 ? Number(process.argv[limitArg + 1]) : Number.POSITIVE_INFINITY;
  const calls: LlmCallRecord[] = [];
  const assistant = createLlmAssistant(
    cfg,
    {
      record: async (c) => void calls.push(c),
      spentSince: async () => calls.reduce((s, c) => s + c.costUsd, 0),
    },
    pino({ level: 'silent' }),
  )!;
  console.log(`model ${assistant.model} at ${cfg.OPENAI_BASE_URL ?? 'api.openai.com'}`);
  for (const [name, set] of [
    ['main', messages as Fixture[]],
    ['holdout', holdout as Fixture[]],
  ] as const) {
    const fixtures = set.slice(0, limit);
    const rules: Signals[] = [];
    const merged: Signals[] = [];
    // A few calls at a time: fast enough, gentle with rate limits.
    for (let i = 0; i < fixtures.length; i += 4) {
      const batch = fixtures.slice(i, i + 4);
      const done = await Promise.all(
        batch.map(async (fx) => {
          const ctx = fx.ctx ?? {};
          const r = understandRules(fx.text, ctx);
          const phase = ctx.expecting === 'menu' ? 'menu' : INTAKE.has(ctx.expecting ?? '') ? 'intake' : 'idle';
          const attempt = await assistant.extract(fx.text, { phase, ctx });
          await assistant.record(attempt.record);
          const m = attempt.extraction
            ? mergeCandidates({ rules: r, model: attempt.extraction, text: fx.text, ctx, inFlow: phase === 'intake' })
                .signals
            : r;
          return [r, m] as const;
        }),
      );
      for (const [r, m] of done) {
        rules.push(r);
        merged.push(m);
      }
      process.stderr.write(`\r${name}: ${Math.min(i + 4, fixtures.length)}/${fixtures.length}`);
    }
    process.stderr.write('\n');
    console.log(table(`${name} (${fixtures.length} messages)`, fixtures, rules, merged));
  }
  const by = new Map<string, number>();
  for (const c of calls) by.set(c.outcome, (by.get(c.outcome) ?? 0) + 1);
  const tokensIn = calls.reduce((s, c) => s + c.inputTokens, 0);
  const tokensOut = calls.reduce((s, c) => s + c.outputTokens, 0);
  const cost = calls.reduce((s, c) => s + c.costUsd, 0);
  console.log(
    `\ncalls: ${[...by].map(([k, v]) => `${k} ${v}`).join(', ')}; tokens ${tokensIn} in / ${tokensOut} out; estimated US$ ${cost.toFixed(4)}`,
  );
  return 0;
}

function table(title: string, fixtures: Fixture[], rules: Signals[], merged: Signals[]): string {
  const stats = new Map<Field, { total: number; rules: number; model: number }>();
  fixtures.forEach((fx, i) => {
    for (const [field, expected] of Object.entries(fx.expect) as [Field, unknown][]) {
      const s = stats.get(field) ?? { total: 0, rules: 0, model: 0 };
      s.total++;
      if (fieldMatches(field, expected, rules[i]!)) s.rules++;
      if (fieldMatches(field, expected, merged[i]!)) s.model++;
      stats.set(field, s);
    }
  });
  const pct = (n: number, d: number) => `${((100 * n) / d).toFixed(1)}%`.padStart(7);
  const rows = [...stats].map(
    ([f, s]) =>
      `${f.padEnd(16)} ${String(s.total).padStart(5)} ${pct(s.rules, s.total)} ${pct(s.model, s.total)} ${(s.model - s.rules >= 0 ? '+' : '') + String(s.model - s.rules)}`,
  );
  return [
    `\n${title}`,
    `${'field'.padEnd(16)} ${'n'.padStart(5)} ${'rules'.padStart(7)} ${'+model'.padStart(7)} diff`,
    ...rows,
  ].join('\n');
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
