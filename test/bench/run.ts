/**
 * `npm run bench`: import and pipeline benchmarks on PGlite, and on PostgreSQL when
 * DATABASE_URL is set. Prints one JSON line per result and a table. Targets (issue checks):
 * import ≥ 2,000 rows/s on PGlite and ≥ 5,000 on PostgreSQL, second import faster and all
 * unchanged; pipeline on PostgreSQL ≥ 30% of the raw insert rate with p99 ≤ 50 ms at 50
 * concurrent conversations; heap stable over 10,000 messages; the release planner plans 2,000
 * candidates in < 50 ms.
 *
 * Pipeline method (test/bench/pipeline-bench.ts): master data for N customers is imported, then the real
 * server (fastify + ConversationEngine on the real database, listening on a TCP port) is driven by a client in a
 * worker thread (test/bench/pipeline-client.mjs) that POSTs to /api/webchat/messages over keep-alive HTTP
 * connections (node:http, one per conversation, like a browser) and reads every answer whole. Each conversation
 * cycles: full report with a photo (32 × 32 px, new bytes each time, so it is checked, thumbnailed and stored with
 * its fsyncs) → "sim" (a request is created) → status question → greeting, and conversation
 * i starts at step i mod 4, so the four kinds of message are mixed at every moment as with independent customers
 * (in lockstep, the heavy reports of all 50 arrived back to back every fourth wave). One client thread serves
 * every phase; a warm-up cycle per conversation, not measured, comes first. Phase 1 is
 * closed-loop saturation (each conversation sends its next message when it has the answer): messages/s, p50,
 * p99. Phase 2 offers 30% of the raw insert rate open-loop (one message in flight per conversation) and reports
 * the latency seen at that load. Phase 3 has every conversation send one message a second (50/s), the latency a
 * customer sees with 50 conversations open at once. The raw rate is one single-row insert + commit at a time as the driver does it
 * by itself (postgres.js `sql.begin()`: BEGIN, INSERT, COMMIT; our transaction runner not involved) for 2 s,
 * measured before and after phase 1 in the same run; the mean is the limit used. The same insert in autocommit
 * (one round trip) is reported beside it. CPU per message of this process (server + client) and, when the
 * PostgreSQL server is local, of its backends (from /proc) is reported too: on a shared machine it is the
 * steadier number for comparing changes, split by thread where /proc allows (server loop, client, libvips, the
 * rest). The client shares the CPU with the server. Last, on PostgreSQL, the same phases against the floor: the
 * same HTTP server, bodies and transaction round trips with no application work (label `postgres floor`).
 *
 * Env: DATABASE_URL (adds PostgreSQL), BENCH_MESSAGES (10,000), BENCH_CONVERSATIONS (50),
 * BENCH_ONLY (comma list of `pglite`, `postgres`, `import`, `pipeline`, `floor`, `understanding`, `planner`, `photos` to run a subset while profiling),
 * BENCH_PROFILE (a directory: CPU profile of the server thread during phase 2), BENCH_ENGINE_THREADS (comma list,
 * default `0,2`: the PostgreSQL pipeline once per entry, with that many engine threads as ENGINE_THREADS), BENCH_TRACE
 * (a file prefix: per phase, a JSON list of [ms since the phase started, script step, latency ms] per message),
 * BENCH_PHOTOS (`repeat`: every report sends the same photo, which the store keeps once, as the bench did before
 * 2026-12-05; default `new`). The photo bench measures a 12 MP phone photo through the same check and store.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type DbHandle, migrate, openPglite } from '../../src/db/client';
import { openTestDb } from '../support/db';
import { runImportBench } from './import-bench';
import { runPhotoBench } from './photo-bench';
import { runPipelineBench } from './pipeline-bench';
import { runPlannerBench } from './planner-bench';
import { runUnderstandingBench } from './understanding-bench';

const pgUrl = process.env.DATABASE_URL;
const messages = Number(process.env.BENCH_MESSAGES ?? 10_000);
const conversations = Number(process.env.BENCH_CONVERSATIONS ?? 50);
/**
 * The pipeline on PostgreSQL runs once per entry: engine threads as the server's ENGINE_THREADS (0 = the main
 * thread, the default server). PGlite always runs on the main thread.
 */
const engineThreads = (process.env.BENCH_ENGINE_THREADS ?? '0,2').split(',').map((s) => Number(s.trim()));
/** `new` (default): each report carries a photo never sent before; `repeat`: the same photo every time. */
const photos = process.env.BENCH_PHOTOS === 'repeat' ? 'repeat' : 'new';
const only = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',').map((s) => s.trim())) : null;
/** Whether a database kind or a bench is selected (everything when BENCH_ONLY is unset; a group with nothing named runs whole). */
const selected = (name: string, group: string[]) => !only || !group.some((g) => only.has(g)) || only.has(name);
const DBS = ['pglite', 'postgres'];
const BENCHES = ['import', 'pipeline', 'floor', 'understanding', 'planner', 'photos'];

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
  const kinds: [string, () => Promise<DbHandle>][] = [];
  if (selected('pglite', DBS)) kinds.push(['pglite', pglite]);
  if (!selected('postgres', DBS)) {
    // not asked for
  } else if (pgUrl) kinds.push(['postgres', () => openTestDb('postgres')]);
  else console.log('PostgreSQL benchmarks skipped: DATABASE_URL is not set.');
  const results: Record<string, unknown>[] = [];
  if (selected('understanding', BENCHES)) {
    const u = runUnderstandingBench();
    console.log(JSON.stringify({ bench: 'understanding', ...u }));
    results.push({ bench: 'understanding', label: 'rules', ...u });
  }
  if (selected('planner', BENCHES)) {
    const p = runPlannerBench();
    console.log(JSON.stringify({ bench: 'planner', ...p }));
    results.push({ bench: 'planner', label: 'release plan', ...p });
  }
  if (selected('photos', BENCHES)) {
    const p = await runPhotoBench();
    console.log(JSON.stringify({ bench: 'photos', ...p }));
    results.push({ bench: 'photos', label: '12 MP JPEG', ...p });
  }
  for (const [label, open] of kinds) {
    if (selected('import', BENCHES)) {
      const h = await open();
      try {
        const r = await runImportBench(h, label);
        console.log(JSON.stringify({ bench: 'import', ...r }));
        results.push({ bench: 'import', ...r });
      } finally {
        await h.close();
      }
    }
    if (!selected('pipeline', BENCHES)) continue;
    for (const threads of label === 'postgres' ? engineThreads : [0]) {
      const h2 = await open();
      try {
        const r = await runPipelineBench(h2, label, { conversations, messages, engineThreads: threads, photos });
        console.log(JSON.stringify({ bench: 'pipeline', ...r }));
        results.push({ bench: 'pipeline', ...r });
      } finally {
        await h2.close();
      }
    }
  }
  // The machine's floor for the same load, on PostgreSQL (see buildFloorApp in pipeline-bench.ts).
  if (pgUrl && selected('postgres', DBS) && selected('floor', BENCHES)) {
    const h = await openTestDb('postgres');
    try {
      const r = await runPipelineBench(h, 'postgres', {
        conversations,
        messages,
        engineThreads: 0,
        photos,
        floor: true,
      });
      console.log(JSON.stringify({ bench: 'pipeline', ...r }));
      results.push({ bench: 'pipeline', ...r });
    } finally {
      await h.close();
    }
  }
  console.table(results);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
