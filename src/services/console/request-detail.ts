import { asc, eq } from 'drizzle-orm';
import type { Executor } from '../../db/client';
import { type InvoiceView, invoiceView } from '../../db/invoices-repo';
import { type RequestJson, requestIdByProtocol, requestsJson, transcript } from '../../db/requests-repo';
import { conversations, endpoints, requestEvents, requestItems, requests } from '../../db/schema';
import { localDate } from '../../domain/calendar';
import { type DeadlineMark, deadlineMark } from './deadline';
import { type Suggestion, suggestOutcome } from './suggest-outcome';

export interface RequestPageData {
  id: number;
  request: RequestJson;
  /** Current items with their row ids (for the correction form). */
  itemRows: { id: number; productId: number | null; productCode: string; mask: string; quantity: number }[];
  invoice: InvoiceView | null;
  /** The name the customer gave on the channel (web chat `name`, Telegram/WhatsApp profile). */
  displayName: string | null;
  transcript: Awaited<ReturnType<typeof transcript>>;
  /** File names the photos arrived with, by sha256 (chat attachments, SAC uploads). */
  photoNames: Map<string, string>;
  suggestion: Suggestion;
  deadline: DeadlineMark;
  /** Extra data of edit events (before → after), by position in `request.history`. */
  eventData: (Record<string, unknown> | null)[];
  /** The model's summary for reviewers (`requests.llm_summary`, parsed where shown); null without a model. */
  llmSummary: unknown;
}

/** Everything the request page shows, or null when there is no such protocol. */
export async function loadRequestPage(
  db: Executor,
  protocol: string,
  opts: { today: string; deadlineDays: number; defaultWarrantyMonths: number },
): Promise<RequestPageData | null> {
  const id = await requestIdByProtocol(db, protocol);
  if (!id) return null;
  const [request] = await requestsJson(db, [id], opts.today);
  if (!request) return null;
  const itemRows = await db
    .select({
      id: requestItems.id,
      productId: requestItems.productId,
      productCode: requestItems.productCode,
      mask: requestItems.mask,
      quantity: requestItems.quantity,
    })
    .from(requestItems)
    .where(eq(requestItems.requestId, id))
    .orderBy(asc(requestItems.id));
  const invoice = request.invoiceNotFound
    ? null
    : await invoiceView(db, request.invoiceNumber, opts.defaultWarrantyMonths);
  let displayName: string | null = null;
  let messages: Awaited<ReturnType<typeof transcript>> = [];
  if (request.conversationId) {
    const [ep] = await db
      .select({ name: endpoints.displayName })
      .from(conversations)
      .innerJoin(endpoints, eq(endpoints.id, conversations.endpointId))
      .where(eq(conversations.id, request.conversationId));
    displayName = ep?.name ?? null;
    messages = await transcript(db, request.conversationId);
  }
  const events = await db
    .select({ data: requestEvents.data })
    .from(requestEvents)
    .where(eq(requestEvents.requestId, id))
    .orderBy(asc(requestEvents.id));
  const photoNames = new Map<string, string>();
  for (const m of messages) for (const a of m.attachments ?? []) if (a.filename) photoNames.set(a.sha256, a.filename);
  for (const e of events) {
    const files = (e.data as { files?: unknown } | null)?.files;
    if (Array.isArray(files)) {
      for (const f of files) {
        const sha = (f as { sha256?: unknown }).sha256;
        const name = (f as { filename?: unknown }).filename;
        if (typeof sha === 'string' && typeof name === 'string') photoNames.set(sha, name);
      }
    }
  }
  const [summaryRow] = await db.select({ v: requests.llmSummary }).from(requests).where(eq(requests.id, id));
  const suggestion = suggestOutcome({
    reasonCategory: request.reason.category,
    submittedOn: localDate(new Date(request.submittedAt)),
    invoiceNotFound: request.invoiceNotFound,
    items: request.items,
    photoCount: request.photos.length,
  });
  return {
    id,
    request,
    itemRows,
    invoice,
    displayName,
    transcript: messages,
    photoNames,
    suggestion,
    deadline: deadlineMark(request.ageDays, opts.deadlineDays, request.status),
    eventData: events.map((e) => (e.data && typeof e.data === 'object' ? (e.data as Record<string, unknown>) : null)),
    llmSummary: summaryRow?.v ?? null,
  };
}
