import { inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Database } from '../../db/client';
import { contacts, customers } from '../../db/schema';
import { normalizeCnpj } from '../../domain/cnpj';
import { normalizeEmail, normalizePhone } from '../../domain/phone';
import { isUf } from '../../domain/uf';
import { collapseSpaces, fail, issuesReason, showValue, textCell, textProblem } from './cell-schemas';
import { excluded } from './excluded';
import type { ImportReport, RowRejection } from './import-report';
import { inBatches } from './in-batches';
import type { ColumnSpec, CsvTable } from './read-csv-table';

/** Columns of the customers file (CONTRACT §2). */
export const CUSTOMER_COLUMNS: readonly ColumnSpec[] = [
  { name: 'codigo', required: true },
  { name: 'nome', required: true },
  { name: 'cnpj', required: true },
  { name: 'telefone', required: true },
  { name: 'email', required: true },
  { name: 'uf', required: false },
];

/** The `|`-separated values of a cell, trimmed, empty ones dropped. */
function listOf(raw: string): string[] {
  return raw
    .split('|')
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

const cnpjCell = z.string().transform((raw, ctx) => {
  const v = raw.trim();
  if (v === '') return fail(ctx, 'CNPJ vazio');
  if (!/^[\d\s./-]+$/.test(v)) return fail(ctx, `CNPJ inválido (${showValue(v)})`);
  // A CNPJ kept as a number in Excel loses its leading zeros: pad plain digits back to 14.
  const candidate = /^\d{12,13}$/.test(v) ? v.padStart(14, '0') : v;
  return normalizeCnpj(candidate) ?? fail(ctx, `CNPJ inválido (${showValue(v)})`);
});

const phonesCell = z.string().transform((raw, ctx) => {
  const out: string[] = [];
  for (const v of listOf(raw)) {
    const e164 = normalizePhone(v);
    if (e164) out.push(e164);
    else ctx.addIssue({ code: 'custom', message: `telefone inválido (${showValue(v)})` });
  }
  return [...new Set(out)];
});

const emailsCell = z.string().transform((raw, ctx) => {
  const out: string[] = [];
  for (const v of listOf(raw)) {
    const problem = textProblem('email', collapseSpaces(v), 254);
    const email = problem ? null : normalizeEmail(v);
    if (email) out.push(email);
    else ctx.addIssue({ code: 'custom', message: problem ?? `e-mail inválido (${showValue(v)})` });
  }
  return [...new Set(out)];
});

/** Optional state: empty → unknown (null); otherwise one of the 27 UFs. */
const ufCell = z
  .string()
  .optional()
  .transform((raw, ctx) => {
    if (raw === undefined) return undefined;
    const v = raw.trim().toUpperCase();
    if (v === '') return null;
    return isUf(v) ? v : fail(ctx, `UF inválida (${showValue(raw)}): use a sigla do estado, como RS, ou deixe vazio`);
  });

const customerRow = z.object({
  codigo: textCell('codigo', { required: true, max: 60 }),
  nome: textCell('nome', { required: true, max: 200 }),
  cnpj: cnpjCell,
  telefone: phonesCell,
  email: emailsCell,
  uf: ufCell,
});

/** A customer row as validated: 14-digit CNPJ, E.164 phones, lower-case e-mails. */
export type CustomerRow = z.output<typeof customerRow>;

/**
 * Upserts the rows of a customers file, keyed by `codigo`, in one transaction: per batch one
 * lookup of the customers and one of their contacts, one multi-row upsert of new/changed
 * customers and one multi-row insert of the contacts not yet known (kind `phone`/`email`,
 * source `import`). Contacts are only ever added, never removed. A row with any invalid phone or
 * e-mail is rejected as a whole; a code repeated in the file is rejected (first one wins).
 * A row counts as `updated` when the name or CNPJ changed or a contact was added.
 */
export async function importCustomers(db: Database, table: CsvTable): Promise<ImportReport> {
  const rejected: RowRejection[] = [...table.rejected];
  const accepted: CustomerRow[] = [];
  const firstLine = new Map<string, number>();
  for (const { line, cells } of table.rows) {
    const parsed = customerRow.safeParse(cells);
    if (!parsed.success) {
      rejected.push({ line, reason: issuesReason(parsed.error) });
      continue;
    }
    const row = parsed.data;
    const first = firstLine.get(row.codigo);
    if (first !== undefined) {
      rejected.push({
        line,
        reason: `cliente ${showValue(row.codigo)} repetido no arquivo (primeira vez na linha ${first})`,
      });
      continue;
    }
    firstLine.set(row.codigo, line);
    accepted.push(row);
  }

  // Without a `uf` column the stored state is left as it is.
  const withUf = table.columns.includes('uf');
  const differs = (e: { name: string; cnpj: string; uf: string | null } | undefined, r: CustomerRow) =>
    !e || e.name !== r.nome || e.cnpj !== r.cnpj || (withUf && e.uf !== (r.uf ?? null));
  let imported = 0;
  let updated = 0;
  let unchanged = 0;
  await db.transaction(async (tx) => {
    for (const batch of inBatches(accepted)) {
      const existing = await tx
        .select({
          id: customers.id,
          code: customers.code,
          name: customers.name,
          cnpj: customers.cnpj,
          uf: customers.uf,
        })
        .from(customers)
        .where(
          inArray(
            customers.code,
            batch.map((r) => r.codigo),
          ),
        );
      const byCode = new Map(existing.map((e) => [e.code, e]));
      const known = new Set<string>();
      for (const ids of inBatches(existing.map((e) => e.id))) {
        const rows = await tx
          .select({ customerId: contacts.customerId, value: contacts.value })
          .from(contacts)
          .where(inArray(contacts.customerId, ids));
        for (const c of rows) known.add(`${c.customerId}\u0000${c.value}`);
      }

      const changed = batch.filter((r) => differs(byCode.get(r.codigo), r));
      const idByCode = new Map(existing.map((e) => [e.code, e.id]));
      if (changed.length > 0) {
        const written = await tx
          .insert(customers)
          .values(
            changed.map((r) => ({
              code: r.codigo,
              name: r.nome,
              cnpj: r.cnpj,
              ...(withUf ? { uf: r.uf ?? null } : {}),
            })),
          )
          .onConflictDoUpdate({
            target: customers.code,
            set: {
              name: excluded(customers.name),
              cnpj: excluded(customers.cnpj),
              ...(withUf ? { uf: excluded(customers.uf) } : {}),
              updatedAt: sql`now()`,
            },
          })
          .returning({ id: customers.id, code: customers.code });
        for (const w of written) idByCode.set(w.code, w.id);
      }

      const newContacts: (typeof contacts.$inferInsert)[] = [];
      for (const r of batch) {
        const customerId = idByCode.get(r.codigo)!;
        const before = newContacts.length;
        const add = (value: string, kind: 'phone' | 'email') => {
          if (!known.has(`${customerId}\u0000${value}`))
            newContacts.push({ customerId, value, kind, source: 'import' });
        };
        for (const p of r.telefone) add(p, 'phone');
        for (const e of r.email) add(e, 'email');
        const current = byCode.get(r.codigo);
        if (!current) imported++;
        else if (differs(current, r) || newContacts.length > before) updated++;
        else unchanged++;
      }
      for (const part of inBatches(newContacts)) {
        await tx.insert(contacts).values(part).onConflictDoNothing();
      }
    }
  });
  rejected.sort((a, b) => a.line - b.line);
  return { kind: 'customers', total: table.total, imported, updated, unchanged, rejected };
}
