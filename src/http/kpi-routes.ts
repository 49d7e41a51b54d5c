import type { FastifyInstance, preHandlerAsyncHookHandler } from 'fastify';
import { z } from 'zod';
import type { Database } from '../db/client';
import { dbKeyValueStore } from '../db/kv-store';
import { ClientError } from '../services/errors';
import { kpiReport, parseKpiPeriod } from '../services/kpis';
import { kpiCsv } from '../services/kpis-csv';

const periodQuery = z.object({ from: z.string().max(20).optional(), to: z.string().max(20).optional() });

export interface KpiApiDeps {
  db: Database;
  today: () => string;
  /** PRO-AST-01: 9 days (ASSISTANCE_DEADLINE_DAYS). */
  assistanceDeadlineDays: number;
  /** PRO-AST-01: 15 days (PRODUCTION_DEADLINE_DAYS). */
  productionDeadlineDays: number;
}

/**
 * `GET /api/kpis?from=&to=` (JSON, the whole report) and `GET /api/kpis.csv?from=&to=` (one row per
 * request, for Excel), for BI tools. `guard` is the staff API's bearer-token check for the role.
 */
export function registerKpiApi(app: FastifyInstance, deps: KpiApiDeps, guard: preHandlerAsyncHookHandler): void {
  const kv = dbKeyValueStore(deps.db);
  const report = (query: unknown) => {
    const q = periodQuery.safeParse(query ?? {});
    if (!q.success) throw new ClientError(400, 'use "from" e "to" uma vez cada, como AAAA-MM-DD');
    const period = parseKpiPeriod(q.data, deps.today());
    return kpiReport(deps.db, kv, period, deps);
  };
  app.get('/api/kpis', { preHandler: guard }, async (req) => report(req.query));
  app.get('/api/kpis.csv', { preHandler: guard }, async (req, reply) => {
    const r = await report(req.query);
    return reply
      .type('text/csv; charset=utf-8')
      .header('Content-Disposition', `attachment; filename="kpis-${r.period.from}-a-${r.period.to}.csv"`)
      .header('X-Content-Type-Options', 'nosniff')
      .send(kpiCsv(r));
  });
}
