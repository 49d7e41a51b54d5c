import { and, asc, desc, eq, inArray, isNotNull, ne } from 'drizzle-orm';
import { T } from '../../flows/texts';
import type { Database, Executor, Tx } from '../db/client';
import { setRequestStatus } from '../db/requests-repo';
import { customers, erpBatches, requestEvents, requestItems, requests } from '../db/schema';
import { localDate } from '../domain/calendar';
import {
  type AssistanceKind,
  defaultCfop,
  type ErpData,
  type ErpInput,
  erpInputSchema,
  itemsPieces,
  itemsWeightKg,
  readErpData,
} from '../domain/erp';
import type { RequestStatus } from '../domain/request-status';
import {
  buildTable,
  type ExportRequest,
  type ExportTable,
  type FoccoLayout,
  toCsv,
  toXlsx,
} from '../integrations/erp/focco-export';
import { ClientError } from './errors';
import { notifyCustomer } from './review';

/**
 * ERP hand-off (seed 6.1): the assistant fills the FOCCO import data of accepted and charged
 * requests; an export batch writes the import file and marks its requests `imported` with their
 * ERP order number. A charged request's customer then gets the order number to ask finance.
 */

export interface ErpSettings {
  layout: FoccoLayout;
  /** The company's state (UF): CFOP inside or outside it. */
  companyUf: string;
}

/** Statuses whose ERP data can be filled: decided, not yet imported. */
export const ERP_EDITABLE: readonly RequestStatus[] = ['accepted', 'charged'];

type RequestRow = typeof requests.$inferSelect;

export function kindOf(status: string): AssistanceKind {
  return status === 'charged' ? 'charged' : 'warranty';
}

/** The form's values: what was saved, or defaults from the request (weight and pieces from the items). */
export async function erpFormValues(
  db: Executor,
  req: RequestRow,
  s: ErpSettings,
): Promise<ErpInput & { kind: AssistanceKind }> {
  const saved = readErpData(req.erp);
  // Before the import the decision may still change (accepted ↔ charged): the status decides the kind.
  const kind = ERP_EDITABLE.includes(req.status as RequestStatus)
    ? kindOf(req.status)
    : (saved?.kind ?? kindOf(req.status));
  if (saved) return { ...saved, kind };
  const items = await db.select().from(requestItems).where(eq(requestItems.requestId, req.id));
  const [customer] = await db.select({ uf: customers.uf }).from(customers).where(eq(customers.id, req.customerId));
  const category = req.reasonCategory as keyof FoccoLayout['defaults']['reason'];
  return {
    kind,
    erpOrderNumber: '',
    salesDivision: s.layout.defaults.salesDivision,
    reason: s.layout.defaults.reason[category] ?? '',
    paymentCondition: s.layout.defaults.paymentCondition[kind],
    cfop: defaultCfop(s.companyUf, customer?.uf ?? null, s.layout.cfop[kind]) ?? '',
    weightKg: itemsWeightKg(items),
    volumes: itemsPieces(items),
    orderSequence: null,
  };
}

/** Validate and store the ERP data; returns the field errors (pt-BR) or the saved data. */
export async function saveErpData(
  db: Database,
  protocol: string,
  input: Record<string, unknown>,
  by: string,
): Promise<{ ok: true; data: ErpData } | { ok: false; errors: Record<string, string> }> {
  const parsed = erpInputSchema.safeParse(input);
  if (!parsed.success) {
    const errors: Record<string, string> = {};
    for (const i of parsed.error.issues) errors[String(i.path[0] ?? 'form')] ??= i.message;
    return { ok: false, errors };
  }
  return db.transaction(async (txRaw) => {
    const tx = txRaw as Tx;
    const req = await lockRequest(tx, protocol);
    if (!ERP_EDITABLE.includes(req.status as RequestStatus))
      throw new ClientError(
        409,
        `Os dados do ERP são preenchidos depois da análise e antes da importação (a solicitação está "${req.status}").`,
      );
    const [other] = await tx
      .select({ protocol: requests.protocol })
      .from(requests)
      .where(and(eq(requests.erpOrderNumber, parsed.data.erpOrderNumber), ne(requests.id, req.id)));
    if (other)
      return {
        ok: false as const,
        errors: { erpOrderNumber: `Número do pedido no ERP já usado em ${other.protocol}.` },
      };
    const data: ErpData = {
      ...parsed.data,
      kind: kindOf(req.status),
      updatedBy: by,
      updatedAt: new Date().toISOString(),
    };
    await tx
      .update(requests)
      .set({ erp: data, erpOrderNumber: data.erpOrderNumber, updatedAt: new Date() })
      .where(eq(requests.id, req.id));
    await tx.insert(requestEvents).values({
      requestId: req.id,
      by,
      kind: 'edit',
      note: `Dados do ERP: pedido ${data.erpOrderNumber}, CFOP ${data.cfop}, ${data.weightKg} kg, ${data.volumes} volume(s)`,
      data: { erp: data },
    });
    return { ok: true as const, data };
  });
}

async function lockRequest(tx: Tx, protocol: string): Promise<RequestRow> {
  const [req] = await tx.select().from(requests).where(eq(requests.protocol, protocol.toUpperCase())).for('update');
  if (!req) throw new ClientError(404, `Solicitação ${protocol} não encontrada.`);
  return req;
}

export interface ReadyRow {
  id: number;
  protocol: string;
  status: string;
  customerName: string;
  erp: ErpData | null;
  submittedAt: Date;
}

/** Decided requests waiting for the ERP import, with or without their data filled (oldest first). */
export async function awaitingImport(db: Executor): Promise<ReadyRow[]> {
  const rows = await db
    .select({
      id: requests.id,
      protocol: requests.protocol,
      status: requests.status,
      customerName: customers.name,
      erp: requests.erp,
      submittedAt: requests.submittedAt,
    })
    .from(requests)
    .innerJoin(customers, eq(customers.id, requests.customerId))
    .where(inArray(requests.status, [...ERP_EDITABLE]))
    .orderBy(asc(requests.submittedAt), asc(requests.id));
  return rows.map((r) => ({ ...r, erp: readErpData(r.erp) }));
}

/** Requests as the export needs them, in the batch's order (protocol order: stable on re-export). */
async function exportRequests(tx: Executor, ids: number[]): Promise<ExportRequest[]> {
  if (ids.length === 0) return [];
  const rows = await tx
    .select({ r: requests, c: customers })
    .from(requests)
    .innerJoin(customers, eq(customers.id, requests.customerId))
    .where(inArray(requests.id, ids))
    .orderBy(asc(requests.protocol));
  const items = await tx
    .select()
    .from(requestItems)
    .where(inArray(requestItems.requestId, ids))
    .orderBy(asc(requestItems.id));
  const decided = await tx
    .select({ requestId: requestEvents.requestId, at: requestEvents.at })
    .from(requestEvents)
    .where(
      and(
        inArray(requestEvents.requestId, ids),
        eq(requestEvents.kind, 'status'),
        inArray(requestEvents.toStatus, ['accepted', 'charged']),
      ),
    )
    .orderBy(asc(requestEvents.id));
  const decidedOn = new Map(decided.map((d) => [d.requestId, localDate(d.at)]));
  return rows.map(({ r, c }) => ({
    protocol: r.protocol,
    customerCode: c.code,
    customerCnpj: c.cnpj,
    customerName: c.name,
    customerUf: c.uf,
    invoiceNumber: r.invoiceNumber,
    orderNumber: r.orderNumber,
    decidedOn: decidedOn.get(r.id) ?? localDate(r.updatedAt),
    erp: readErpData(r.erp)!,
    items: items
      .filter((i) => i.requestId === r.id)
      .map((i) => ({
        code: i.productCode,
        mask: i.mask,
        description: i.description,
        quantity: i.quantity,
        weightKg: i.weightKg,
      })),
  }));
}

/**
 * Export a batch: the chosen requests (or, without ids, every decided request whose ERP data is
 * filled). All must be decided and filled, or nothing is exported (the message names the ones
 * missing). Stores the rows, marks the requests `imported`, tells charged customers their order
 * number for the finance release. Returns the batch id and the outbox ids to deliver.
 */
export async function exportBatch(
  db: Database,
  ids: number[] | 'ready',
  by: string,
  s: ErpSettings,
): Promise<{ batchId: number; count: number; outboxIds: number[] }> {
  return db.transaction(async (txRaw) => {
    const tx = txRaw as Tx;
    const chosen =
      ids === 'ready'
        ? await tx
            .select()
            .from(requests)
            .where(and(inArray(requests.status, [...ERP_EDITABLE]), isNotNull(requests.erpOrderNumber)))
            .for('update')
        : ids.length
          ? await tx.select().from(requests).where(inArray(requests.id, ids)).for('update')
          : [];
    if (chosen.length === 0) throw new ClientError(400, 'Nenhuma solicitação pronta para exportar.');
    const missing = chosen.filter((r) => !ERP_EDITABLE.includes(r.status as RequestStatus) || !readErpData(r.erp));
    if (ids !== 'ready' && chosen.length < ids.length)
      throw new ClientError(404, 'Alguma solicitação escolhida não existe.');
    if (missing.length)
      throw new ClientError(
        409,
        `Não exportado: ${missing.map((r) => r.protocol).join(', ')} sem dados do ERP ou fora de "aceita"/"cobrada".`,
      );
    // The kind follows the decision at export time (it may have changed since the data was saved).
    for (const r of chosen) {
      const erp = readErpData(r.erp)!;
      if (erp.kind !== kindOf(r.status)) {
        r.erp = { ...erp, kind: kindOf(r.status) };
        await tx.update(requests).set({ erp: r.erp }).where(eq(requests.id, r.id));
      }
    }
    const list = await exportRequests(
      tx,
      chosen.map((r) => r.id),
    );
    const table = buildTable(s.layout, list);
    const [batch] = await tx
      .insert(erpBatches)
      .values({ createdBy: by, requestIds: chosen.map((r) => r.id).sort((a, b) => a - b), table })
      .returning({ id: erpBatches.id });
    const outboxIds: number[] = [];
    for (const r of chosen) {
      const erp = readErpData(r.erp)!;
      await setRequestStatus(
        tx,
        r.id,
        r.status as RequestStatus,
        'imported',
        by,
        `Importada no ERP: pedido ${erp.erpOrderNumber} (lote ${batch!.id})`,
        {
          erpBatchId: batch!.id,
        },
      );
      if (erp.kind === 'charged')
        outboxIds.push(...(await notifyCustomer(tx, r, by, T.chargedOrderCreated(r.protocol, erp.erpOrderNumber))));
    }
    return { batchId: batch!.id, count: chosen.length, outboxIds };
  });
}

export async function listBatches(db: Executor, limit = 30) {
  return db
    .select({
      id: erpBatches.id,
      createdBy: erpBatches.createdBy,
      createdAt: erpBatches.createdAt,
      requestIds: erpBatches.requestIds,
    })
    .from(erpBatches)
    .orderBy(desc(erpBatches.id))
    .limit(limit);
}

/** A stored batch's file: the same rows every time, so the same bytes. */
export async function batchFile(
  db: Executor,
  id: number,
  format: 'csv' | 'xlsx',
  layout: FoccoLayout,
): Promise<{ name: string; type: string; body: Buffer } | null> {
  const [b] = await db.select().from(erpBatches).where(eq(erpBatches.id, id));
  if (!b) return null;
  const table = b.table as ExportTable;
  const name = `focco-lote-${String(b.id).padStart(4, '0')}.${format}`;
  return format === 'csv'
    ? { name, type: 'text/csv; charset=utf-8', body: toCsv(table, layout) }
    : {
        name,
        type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        body: await toXlsx(table, layout, b.createdAt),
      };
}
