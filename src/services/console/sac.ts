import { and, desc, eq, ilike, inArray, or, type SQL, sql } from 'drizzle-orm';
import type { Database, Tx } from '../../db/client';
import { invoiceView } from '../../db/invoices-repo';
import { insertRequest } from '../../db/requests-repo';
import { conversations, customers, endpoints, forwards, media, messages, requestEvents } from '../../db/schema';
import { normalizeContact } from '../../domain/phone';
import { isInWarranty } from '../../domain/warranty';
import { inspectImage, type MediaStore, type StoredMedia, type ValidImage } from '../../media';
import { ClientError } from '../errors';
import { REASON_CATEGORIES } from './edits';

export interface UploadedFile {
  filename: string;
  bytes: Buffer;
}

export interface SacCaseInput {
  invoiceNumber: string;
  /** Customer code the attendant typed; must own the NF when given. */
  customerCode?: string;
  /** Phone or e-mail the customer is answered at (normalised). */
  contact: string;
  /** Quantity per product id of the invoice (0 = not in the case). */
  quantities: Map<number, number>;
  reasonCategory: string;
  description: string;
  photos: UploadedFile[];
}

/**
 * A case opened by SAC on the customer's behalf (a phone call): same request as the bot's, with
 * `channel: 'sac'`, origin `sac`, no conversation. Photos are validated by content and stored
 * like the bot's. The first history line names the attendant and keeps the file names.
 */
export async function openSacCase(
  db: Database,
  store: MediaStore,
  input: SacCaseInput,
  opts: { by: string; today: string; defaultWarrantyMonths: number; maxBytes: number; maxPixels: number },
): Promise<{ id: number; protocol: string }> {
  const inv = await invoiceView(db, input.invoiceNumber, opts.defaultWarrantyMonths);
  if (!inv) throw new ClientError(400, `NF ${input.invoiceNumber} não encontrada no cadastro.`);
  if (input.customerCode && input.customerCode.trim().toUpperCase() !== inv.customer.code.toUpperCase()) {
    throw new ClientError(400, `A NF ${inv.number} não é do cliente ${input.customerCode}.`);
  }
  const contact = normalizeContact(input.contact);
  if (!contact) throw new ClientError(400, 'Informe um telefone ou e-mail válido para o retorno ao cliente.');
  if (!(REASON_CATEGORIES as readonly string[]).includes(input.reasonCategory)) {
    throw new ClientError(400, 'Escolha o motivo (indústria, transporte ou cliente).');
  }
  const description = input.description.trim();
  if (!description) throw new ClientError(400, 'Descreva o problema com as palavras do cliente.');
  const items = inv.items
    .map((i) => ({ inv: i, quantity: input.quantities.get(i.productId) ?? 0 }))
    .filter((x) => x.quantity > 0);
  if (items.length === 0) throw new ClientError(400, 'Informe a quantidade de pelo menos um item da NF.');
  for (const x of items) {
    if (!Number.isInteger(x.quantity) || x.quantity > x.inv.quantity) {
      throw new ClientError(400, `A NF tem ${x.inv.quantity} unidade(s) de ${x.inv.code}.`);
    }
  }

  // Validate every photo before storing any (a refused file stops the case with its name).
  const checked: { f: UploadedFile; check: ValidImage }[] = [];
  for (const f of input.photos) {
    const check = await inspectImage(f.bytes, { maxBytes: opts.maxBytes, maxPixels: opts.maxPixels });
    if (!check.ok) {
      throw new ClientError(
        400,
        `O arquivo "${f.filename}" não foi aceito (${check.reason === 'too_large' || check.reason === 'too_many_pixels' ? 'grande demais' : 'não é uma foto JPG, PNG, WebP ou AVIF'}).`,
      );
    }
    checked.push({ f, check });
  }
  const stored: { filename: string; s: StoredMedia }[] = [];
  for (const { f, check } of checked) stored.push({ filename: f.filename, s: await store.put(f.bytes, check) });

  const until = inv.items
    .filter((i) => items.some((x) => x.inv.productId === i.productId))
    .map((i) => i.warrantyUntil)
    .reduce<string | null>((a, b) => (a === null || b < a ? b : a), null);
  return db.transaction(async (txRaw) => {
    const tx = txRaw as Tx;
    if (stored.length) {
      await tx
        .insert(media)
        .values(
          stored.map(({ s }) => ({
            sha256: s.sha256,
            contentType: s.contentType,
            sizeBytes: s.sizeBytes,
            width: s.width,
            height: s.height,
            originalPath: s.originalPath,
            thumbPath: s.thumbPath,
          })),
        )
        .onConflictDoNothing();
    }
    const photos = [...new Set(stored.map(({ s }) => s.sha256))];
    const created = await insertRequest(tx, {
      customerId: inv.customer.id,
      contact,
      invoiceId: inv.id,
      invoiceNumber: inv.number,
      invoiceNotFound: false,
      orderNumber: inv.orderNumber,
      reason: { category: input.reasonCategory as 'industria', description },
      items: items.map((x) => ({
        productId: x.inv.productId,
        code: x.inv.code,
        mask: x.inv.mask,
        description: x.inv.description,
        quantity: x.quantity,
        quantityStated: true,
        weightKg: x.inv.weightKg,
        warrantyUntil: x.inv.warrantyUntil,
      })),
      photos,
      warrantyUntil: until,
      inWarranty: items.every((x) => isInWarranty(x.inv.warrantyUntil, opts.today)),
      channel: 'sac',
      origin: 'sac',
      by: opts.by,
    });
    await tx.insert(requestEvents).values({
      requestId: created.id,
      by: opts.by,
      kind: 'note',
      note: `Aberta pelo SAC em nome do cliente (atendimento por telefone); retorno para ${contact}.`,
      data: { files: stored.map(({ filename, s }) => ({ sha256: s.sha256, filename })) },
    });
    return created;
  });
}

export interface ConversationRow {
  id: string;
  channel: string;
  address: string;
  displayName: string | null;
  customerCode: string | null;
  customerName: string | null;
  updatedAt: Date;
  lastText: string | null;
}

const likeEscape = (s: string) => s.replace(/[\\%_]/g, '\\$&');

/** Recent conversations (by address, display name, customer code or name; or one by id), newest first. */
export async function searchConversations(
  db: Database,
  q: string,
  opts: { id?: string; limit?: number } = {},
): Promise<ConversationRow[]> {
  const where: SQL[] = [];
  if (opts.id) where.push(eq(conversations.id, opts.id));
  const term = q.trim();
  if (term) {
    const like = `%${likeEscape(term)}%`;
    const ors: SQL[] = [
      ilike(conversations.address, like),
      ilike(endpoints.displayName, like),
      ilike(customers.name, like),
      eq(customers.code, term.toUpperCase()),
    ];
    const contact = normalizeContact(term);
    if (contact) ors.push(eq(conversations.address, contact));
    where.push(or(...ors)!);
  }
  const rows = await db
    .select({
      id: conversations.id,
      channel: conversations.channel,
      address: conversations.address,
      displayName: endpoints.displayName,
      customerCode: customers.code,
      customerName: customers.name,
      updatedAt: conversations.updatedAt,
    })
    .from(conversations)
    .innerJoin(endpoints, eq(endpoints.id, conversations.endpointId))
    .leftJoin(customers, eq(customers.id, conversations.customerId))
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(conversations.updatedAt))
    .limit(opts.limit ?? 30);
  const last = await lastMessages(
    db,
    rows.map((r) => r.id),
    1,
  );
  return rows.map((r) => ({ ...r, lastText: last.get(r.id)?.at(-1)?.text ?? null }));
}

export interface ContextMessage {
  direction: 'in' | 'out';
  text: string;
  author: string | null;
  attachments: { sha256: string; filename?: string }[];
  at: Date;
}

/** The last `n` messages of each conversation, oldest first (one query). */
export async function lastMessages(
  db: Database,
  conversationIds: string[],
  n: number,
): Promise<Map<string, ContextMessage[]>> {
  const out = new Map<string, ContextMessage[]>();
  const ids = [...new Set(conversationIds)];
  if (ids.length === 0) return out;
  const ranked = db
    .select({
      conversationId: messages.conversationId,
      direction: messages.direction,
      text: messages.text,
      author: messages.author,
      attachments: messages.attachments,
      at: messages.createdAt,
      id: messages.id,
      rn: sql<number>`row_number() over (partition by ${messages.conversationId} order by ${messages.id} desc)`.as(
        'rn',
      ),
    })
    .from(messages)
    .where(inArray(messages.conversationId, ids))
    .as('ranked');
  const rows = await db
    .select()
    .from(ranked)
    .where(sql`${ranked.rn} <= ${n}`)
    .orderBy(ranked.conversationId, ranked.id);
  for (const r of rows) {
    if (!r.conversationId) continue;
    const list = out.get(r.conversationId) ?? [];
    list.push({
      direction: r.direction,
      text: r.text,
      author: r.author,
      attachments: (r.attachments ?? []).map((a) => ({ sha256: a.sha256, filename: a.filename })),
      at: r.at,
    });
    out.set(r.conversationId, list);
  }
  return out;
}

/**
 * SAC hands an existing conversation to the assistance team with a note: a forward row like the
 * bot's (team `assistance`, intent `sac`), answered from the forwards inbox on the customer's channel.
 */
export async function forwardConversation(
  db: Database,
  conversationId: string,
  note: string,
): Promise<{ id: number; customerId: number | null }> {
  const body = note.trim();
  if (!body) throw new ClientError(400, 'Escreva uma nota para a equipe (o que o cliente precisa).');
  if (body.length > 5000) throw new ClientError(400, 'Nota longa demais (máximo 5000 caracteres).');
  const [conv] = await db.select().from(conversations).where(eq(conversations.id, conversationId));
  if (!conv) throw new ClientError(404, 'Conversa não encontrada.');
  const [row] = await db
    .insert(forwards)
    .values({
      team: 'assistance',
      conversationId: conv.id,
      channel: conv.channel,
      address: conv.address,
      customerId: conv.customerId,
      intent: 'sac',
      question: body,
    })
    .returning({ id: forwards.id });
  return { id: row!.id, customerId: conv.customerId };
}
