import { and, asc, eq, inArray, isNull, or } from 'drizzle-orm';
import { T } from '../../flows/texts';
import type { Database, Executor, Tx } from '../db/client';
import { setRequestStatus } from '../db/requests-repo';
import { customers, forwards, releases, requestEvents, requests } from '../db/schema';
import { type FinanceState, financeStateOf, readErpData } from '../domain/erp';
import { planRelease, type ReleaseCandidate, type ReleasePlan, roundKg, totalWeight } from '../domain/release-planner';
import type { RequestStatus } from '../domain/request-status';
import { formatDateBr, type IsoDate, parseDateBrOrIso } from '../domain/warranty';
import { ClientError } from './errors';
import { notifyCustomer } from './review';

/**
 * After the ERP import (seed 6.1–6.2): finance releases charged requests, the assistant releases a
 * day's set to production under the weight cap, then records shipping and closes. The customer
 * hears the finance release and the shipment on their channel. Each function returns the outbox
 * ids to deliver after commit.
 */

type RequestRow = typeof requests.$inferSelect;

async function lock(tx: Tx, protocol: string): Promise<RequestRow> {
  const [req] = await tx.select().from(requests).where(eq(requests.protocol, protocol.toUpperCase())).for('update');
  if (!req) throw new ClientError(404, `Solicitação ${protocol} não encontrada.`);
  return req;
}

/** Where a request stands with finance (the domain's rule on the stored row). */
export function financeState(req: Pick<RequestRow, 'status' | 'erp' | 'financeReleasedAt'>): FinanceState {
  return financeStateOf(req.status, readErpData(req.erp)?.kind, req.financeReleasedAt !== null);
}

/**
 * Finance records the release of a charged request. The assistance evaluation and ERP import come
 * first (seed 6.2: "realizar antes da liberação do financeiro"), so only an imported charged
 * request can be released. Open finance forwards of the customer about this order are answered by
 * the same message (the customer hears it once).
 */
export async function recordFinanceRelease(db: Database, protocol: string, by: string) {
  return db.transaction(async (txRaw) => {
    const tx = txRaw as Tx;
    const req = await lock(tx, protocol);
    const state = financeState(req);
    if (state === 'awaiting-import')
      throw new ClientError(
        409,
        'A análise e a importação no ERP vêm antes da liberação do financeiro: aguarde a importação.',
      );
    if (state === 'released') throw new ClientError(409, 'A liberação do financeiro já foi registrada.');
    if (state !== 'awaiting-finance')
      throw new ClientError(409, 'Só assistência cobrada importada no ERP aguarda o financeiro.');
    const order = req.erpOrderNumber ?? '';
    const now = new Date();
    await tx
      .update(requests)
      .set({ financeReleasedAt: now, financeReleasedBy: by, updatedAt: now })
      .where(eq(requests.id, req.id));
    const text = T.financeReleased(req.protocol, order);
    const linked = await tx
      .update(forwards)
      .set({ status: 'answered', answer: text, answeredBy: by, answeredAt: now, requestId: req.id })
      .where(
        and(
          eq(forwards.team, 'finance'),
          eq(forwards.status, 'open'),
          eq(forwards.customerId, req.customerId),
          or(
            eq(forwards.requestId, req.id),
            eq(forwards.orderNumber, order),
            ...(req.orderNumber ? [eq(forwards.orderNumber, req.orderNumber)] : []),
          ),
        ),
      )
      .returning({ id: forwards.id });
    await tx.insert(requestEvents).values({
      requestId: req.id,
      by,
      kind: 'note',
      note: `Liberação do financeiro registrada${linked.length ? ` (pedido do cliente pelo bot: encaminhamento ${linked.map((l) => `#${l.id}`).join(', ')})` : ''}`,
    });
    return notifyCustomer(tx, req, by, text);
  });
}

export interface CandidateRow extends ReleaseCandidate {
  protocol: string;
  customerName: string;
  erpOrderNumber: string;
  volumes: number;
}

/** Imported warranty requests, and imported charged ones finance released: today's candidates. */
export async function releaseCandidates(db: Executor): Promise<CandidateRow[]> {
  const rows = await db
    .select({ r: requests, customerName: customers.name })
    .from(requests)
    .innerJoin(customers, eq(customers.id, requests.customerId))
    .where(eq(requests.status, 'imported'))
    .orderBy(asc(requests.id));
  const out: CandidateRow[] = [];
  for (const { r, customerName } of rows) {
    const erp = readErpData(r.erp);
    if (!erp) continue;
    if (erp.kind === 'charged' && !r.financeReleasedAt) continue;
    out.push({
      id: r.id,
      priority: erp.kind,
      weightKg: erp.weightKg,
      orderSequence: erp.orderSequence,
      since: r.submittedAt.toISOString(),
      protocol: r.protocol,
      customerName,
      erpOrderNumber: erp.erpOrderNumber,
      volumes: erp.volumes,
    });
  }
  return out;
}

export async function proposeRelease(
  db: Executor,
  capKg: number,
): Promise<{ candidates: CandidateRow[]; plan: ReleasePlan }> {
  const candidates = await releaseCandidates(db);
  return { candidates, plan: planRelease(candidates, capKg) };
}

/**
 * Record a day's release: the chosen candidates (the proposal, possibly adjusted by the
 * assistant) go to `released`. Over the cap is allowed only when `overCapConfirmed` (the page asks).
 */
export async function recordRelease(
  db: Database,
  ids: number[],
  by: string,
  opts: { capKg: number; day: IsoDate; overCapConfirmed?: boolean },
): Promise<{ releaseId: number; totalKg: number; oversize: boolean }> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) throw new ClientError(400, 'Escolha ao menos uma solicitação para liberar.');
  return db.transaction(async (txRaw) => {
    const tx = txRaw as Tx;
    await tx.select({ id: requests.id }).from(requests).where(inArray(requests.id, unique)).for('update');
    const candidates = await releaseCandidates(tx);
    const byId = new Map(candidates.map((c) => [c.id, c]));
    const notCandidates = unique.filter((id) => !byId.has(id));
    if (notCandidates.length)
      throw new ClientError(
        409,
        'Alguma solicitação escolhida não está mais disponível para liberação (atualize a página).',
      );
    const totalKg = totalWeight(candidates, unique);
    const oversize = unique.length === 1 && totalKg > opts.capKg;
    if (totalKg > opts.capKg && !oversize && !opts.overCapConfirmed)
      throw new ClientError(
        409,
        `O total (${totalKg} kg) passa do limite diário de ${opts.capKg} kg. Confirme para liberar mesmo assim.`,
      );
    const [rel] = await tx
      .insert(releases)
      .values({ day: opts.day, capKg: opts.capKg, totalKg: roundKg(totalKg), requestIds: unique, createdBy: by })
      .returning({ id: releases.id });
    const now = new Date();
    for (const id of unique) {
      await setRequestStatus(
        tx,
        id,
        'imported',
        'released',
        by,
        `Liberada para produção (${opts.day}, total do dia ${totalKg} kg)`,
        {
          releasedAt: now,
          releasedBy: by,
          releaseId: rel!.id,
          releaseOversize: oversize,
        },
      );
    }
    return { releaseId: rel!.id, totalKg, oversize };
  });
}

/** Shipping: date and the shipment's NF; the customer is told. */
export async function recordShipment(
  db: Database,
  protocol: string,
  input: { date: string; shipmentInvoice: string },
  by: string,
  today: IsoDate,
): Promise<number[]> {
  const day = parseDateBrOrIso(input.date ?? '');
  if (!day) throw new ClientError(400, 'Data do envio: use dd/mm/aaaa.');
  if (day > today) throw new ClientError(400, 'Data do envio: não pode ser no futuro.');
  const nf = (input.shipmentInvoice ?? '').trim().replace(/^0+/, '');
  if (!/^\d{1,12}$/.test(nf)) throw new ClientError(400, 'NF de remessa: só números (até 12 dígitos).');
  return db.transaction(async (txRaw) => {
    const tx = txRaw as Tx;
    const req = await lock(tx, protocol);
    if (req.status !== 'released')
      throw new ClientError(409, 'Só uma solicitação liberada para produção pode ser enviada.');
    // Noon in Brasília: the calendar day stays the same in any time zone the reports use.
    const shippedAt = new Date(`${day}T15:00:00Z`);
    const [rel] = req.releaseId
      ? await tx.select({ day: releases.day }).from(releases).where(eq(releases.id, req.releaseId))
      : [];
    if (rel && day < rel.day)
      throw new ClientError(400, 'Data do envio: não pode ser antes da liberação para produção.');
    await setRequestStatus(
      tx,
      req.id,
      'released',
      'shipped',
      by,
      `Enviada em ${formatDateBr(day)}, NF de remessa ${nf}`,
      {
        shippedAt,
        shipmentInvoice: nf,
      },
    );
    return notifyCustomer(tx, req, by, T.shipped(req.protocol, formatDateBr(day), nf));
  });
}

export async function closeRequest(db: Database, protocol: string, by: string, note: string | null): Promise<void> {
  await db.transaction(async (txRaw) => {
    const tx = txRaw as Tx;
    const req = await lock(tx, protocol);
    if (req.status !== 'shipped') throw new ClientError(409, 'Só uma solicitação enviada pode ser encerrada.');
    await setRequestStatus(tx, req.id, 'shipped' as RequestStatus, 'closed', by, note?.trim() || 'Encerrada', {
      closedAt: new Date(),
    });
  });
}

/** Charged requests finance still has to release (the finance page). */
export async function awaitingFinance(db: Executor) {
  const rows = await db
    .select({ r: requests, customerName: customers.name })
    .from(requests)
    .innerJoin(customers, eq(customers.id, requests.customerId))
    .where(and(inArray(requests.status, ['charged', 'imported']), isNull(requests.financeReleasedAt)))
    .orderBy(asc(requests.submittedAt));
  return rows
    .map(({ r, customerName }) => ({ req: r, customerName, state: financeState(r) }))
    .filter((x) => x.state === 'awaiting-finance' || x.state === 'awaiting-import');
}
