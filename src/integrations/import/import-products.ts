import { inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Database } from '../../db/client';
import { products } from '../../db/schema';
import { parseDecimal, parseWholeNumber } from '../../domain/parse-decimal';
import { fail, issuesReason, showValue, textCell } from './cell-schemas';
import { excluded } from './excluded';
import type { ImportReport, RowRejection } from './import-report';
import { distinct, inBatches } from './in-batches';
import type { ColumnSpec, CsvTable } from './read-csv-table';

/** Columns of the products file (CONTRACT §2) plus the optional unit cost `custo`. */
export const PRODUCT_COLUMNS: readonly ColumnSpec[] = [
  { name: 'codigo', required: true },
  { name: 'descricao', required: true },
  { name: 'mascara', required: true },
  { name: 'peso_kg', required: true },
  { name: 'garantia_meses', required: true },
  { name: 'custo', required: false },
];

/** Longest warranty accepted, in months (50 years). */
export const MAX_WARRANTY_MONTHS = 600;

const productRow = z.object({
  codigo: textCell('codigo', { required: true, max: 60 }),
  descricao: textCell('descricao', { required: true, max: 300, emptyMessage: 'descricao vazia' }),
  mascara: textCell('mascara', { max: 120 }),
  peso_kg: z.string().transform((raw, ctx) => {
    if (raw.trim() === '') return fail(ctx, 'peso_kg vazio');
    const n = parseDecimal(raw);
    return n !== null && n > 0
      ? n
      : fail(ctx, `peso_kg inválido (${showValue(raw)}): use um número maior que zero, como 2,6`);
  }),
  garantia_meses: z.string().transform((raw, ctx) => {
    if (raw.trim() === '') return null;
    const n = parseWholeNumber(raw);
    return n !== null && n <= MAX_WARRANTY_MONTHS
      ? n
      : fail(
          ctx,
          `garantia_meses inválido (${showValue(raw)}): use meses inteiros de 0 a ${MAX_WARRANTY_MONTHS}, ou deixe vazio para o padrão`,
        );
  }),
  custo: z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined) return undefined;
      if (raw.trim() === '') return null;
      const n = parseDecimal(raw);
      return n !== null
        ? n
        : fail(
            ctx,
            `custo inválido (${showValue(raw)}): use um número maior ou igual a zero, como 149,90, ou deixe vazio`,
          );
    }),
});

/** A product row as validated. `cost` undefined: the file has no `custo` column (cost left as is). */
export type ProductRow = z.output<typeof productRow>;

/** `615020 / TECA 18MM`, or `748012 (sem máscara)`: how a product key reads in a reason. */
export function productLabel(code: string, mask: string): string {
  return mask === '' ? `${showValue(code)} (sem máscara)` : `${showValue(code)} / ${showValue(mask)}`;
}

const keyOf = (code: string, mask: string) => `${code}\u0000${mask}`;

/**
 * Upserts the rows of a products file, keyed by `codigo` + `mascara`, in one transaction:
 * per batch one lookup of the existing products of its codes and one multi-row
 * `insert … on conflict do update` of the new and changed ones. A key repeated in the file is
 * rejected (the first occurrence wins). Empty `garantia_meses` is stored as null (the configured
 * default applies when used); without a `custo` column the stored cost is left untouched.
 */
export async function importProducts(db: Database, table: CsvTable): Promise<ImportReport> {
  const rejected: RowRejection[] = [...table.rejected];
  const accepted: { line: number; row: ProductRow }[] = [];
  const firstLine = new Map<string, number>();
  for (const { line, cells } of table.rows) {
    const parsed = productRow.safeParse(cells);
    if (!parsed.success) {
      rejected.push({ line, reason: issuesReason(parsed.error) });
      continue;
    }
    const row = parsed.data;
    const key = keyOf(row.codigo, row.mascara);
    const first = firstLine.get(key);
    if (first !== undefined) {
      rejected.push({
        line,
        reason: `produto ${productLabel(row.codigo, row.mascara)} repetido no arquivo (primeira vez na linha ${first})`,
      });
      continue;
    }
    firstLine.set(key, line);
    accepted.push({ line, row });
  }

  const withCost = table.columns.includes('custo');
  let imported = 0;
  let updated = 0;
  let unchanged = 0;
  await db.transaction(async (tx) => {
    for (const batch of inBatches(accepted)) {
      const existing = await tx
        .select({
          code: products.code,
          mask: products.mask,
          description: products.description,
          weightKg: products.weightKg,
          warrantyMonths: products.warrantyMonths,
          cost: products.cost,
        })
        .from(products)
        .where(inArray(products.code, distinct(batch.map((b) => b.row.codigo))));
      const byKey = new Map(existing.map((e) => [keyOf(e.code, e.mask), e]));
      const writes: (typeof products.$inferInsert)[] = [];
      for (const { row } of batch) {
        const current = byKey.get(keyOf(row.codigo, row.mascara));
        const cost = row.custo ?? null;
        if (!current) imported++;
        else if (
          current.description !== row.descricao ||
          current.weightKg !== row.peso_kg ||
          current.warrantyMonths !== row.garantia_meses ||
          (withCost && current.cost !== cost)
        )
          updated++;
        else {
          unchanged++;
          continue;
        }
        writes.push({
          code: row.codigo,
          mask: row.mascara,
          description: row.descricao,
          weightKg: row.peso_kg,
          warrantyMonths: row.garantia_meses,
          cost: withCost ? cost : (current?.cost ?? null),
        });
      }
      if (writes.length === 0) continue;
      await tx
        .insert(products)
        .values(writes)
        .onConflictDoUpdate({
          target: [products.code, products.mask],
          set: {
            description: excluded(products.description),
            weightKg: excluded(products.weightKg),
            warrantyMonths: excluded(products.warrantyMonths),
            ...(withCost ? { cost: excluded(products.cost) } : {}),
            updatedAt: sql`now()`,
          },
        });
    }
  });
  rejected.sort((a, b) => a.line - b.line);
  return { kind: 'products', total: table.total, imported, updated, unchanged, rejected };
}
