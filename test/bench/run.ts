/**
 * `npm run bench`: import and pipeline benchmarks on PGlite, and on PostgreSQL when
 * DATABASE_URL is set. Prints one JSON line per result and a table. Targets (issue checks):
 * import ≥ 2,000 rows/s on PGlite and ≥ 5,000 on PostgreSQL, second import faster and all
 * unchanged; pipeline on PostgreSQL ≥ 30% of the raw insert rate with p99 ≤ 50 ms at 50
 * concurrent conversations; heap stable over 10,000 messages; the release planner plans 2,000
 * candidates in < 50 ms.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type DbHandle, migrate, openPglite } from '../../src/db/client';
import { openTestDb } from '../support/db';
import { runImportBench } from './import-bench';
import { runPipelineBench } from './pipeline-bench';
import { runPlannerBench } from './planner-bench';
import { runUnderstandingBench } from './understanding-bench';

const pgUrl = process.env.DATABASE_URL;
const messages = Number(process.env.BENCH_MESSAGES ?? 10_000);
const conversations = Number(process.env.BENCH_CONVERSATIONS ?? 50);

async function pglite(): Promise<DbHandle> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'posvenda-bench-db-'));
  const h = await openPglite(dir);
  await migrate(h);
  return {
    ...h,
    close: async () => {
      await h.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function main() {
  const kinds: [string, () => Promise<DbHandle>][] = [['pglite', pglite]];
  if (pgUrl) kinds.push(['postgres', () => openTestDb('postgres')]);
  else console.log('PostgreSQL benchmarks skipped: DATABASE_URL is not set.');
  const results: Record<string, unknown>[] = [];
  const u = runUnderstandingBench();
  console.log(JSON.stringify({ bench: 'understanding', ...u }));
  results.push({ bench: 'understanding', label: 'rules', ...u });
  const p = runPlannerBench();
  console.log(JSON.stringify({ bench: 'planner', ...p }));
  results.push({ bench: 'planner', label: 'release plan', ...p });
  for (const [label, open] of kinds) {
    const h = await open();
    try {
      const r = await runImportBench(h, label);
      console.log(JSON.stringify({ bench: 'import', ...r }));
      results.push({ bench: 'import', ...r });
    } finally {
      await h.close();
    }
    const h2 = await open();
    try {
      const r = await runPipelineBench(h2, label, { conversations, messages });
      console.log(JSON.stringify({ bench: 'pipeline', ...r }));
      results.push({ bench: 'pipeline', ...r });
    } finally {
      await h2.close();
    }
  }
  console.table(results);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
