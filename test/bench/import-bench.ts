import { performance } from 'node:perf_hooks';
import type { DbHandle } from '../../src/db/client';
import { isValidCnpj } from '../../src/domain/cnpj';
import { importCsv } from '../../src/integrations/import';

/** Result of {@link runImportBench}: timings of the first and the repeated invoices import. */
export interface ImportBenchResult {
  label: string;
  rows: number;
  firstMs: number;
  firstRowsPerSec: number;
  secondMs: number;
  secondRowsPerSec: number;
  secondAllUnchanged: boolean;
}

const PRODUCTS = 500;
const CUSTOMERS = 200;
const INVOICES = 5_000;
const ITEMS_PER_INVOICE = 4;
const MASKS = ['BRANCO SUPREMO 15MM', 'TECA 18MM', 'CINZA CRISTAL 15MM', 'AZUL PROFUNDO 15MM', ''];
const OPTS = { defaultWarrantyMonths: 12 };

/** A valid CNPJ (formatted) derived from `n`: the first check-digit pair that validates. */
function cnpjFor(n: number): string {
  const base = `${String(10_000_000 + n).slice(-8)}0001`;
  for (let d = 0; d < 100; d++) {
    const c = base + String(d).padStart(2, '0');
    if (isValidCnpj(c)) return c.replace(/^(\d{2})(\d{3})(\d{3})(\d{4})(\d{2})$/, '$1.$2.$3/$4-$5');
  }
  throw new Error(`no CNPJ for ${n}`);
}

const toCsv = (lines: string[]) => Buffer.from(`${lines.join('\n')}\n`, 'utf8');

/** Product `i`: code and mask (several masks per code, some without mask). */
const productOf = (i: number) => ({ code: String(700_000 + Math.floor(i / 2)), mask: MASKS[i % MASKS.length]! });

function productsCsv(): Buffer {
  const lines = ['codigo;descricao;mascara;peso_kg;garantia_meses;custo'];
  for (let i = 0; i < PRODUCTS; i++) {
    const { code, mask } = productOf(i);
    const weight = `${1 + (i % 30)},${i % 10}`;
    lines.push(`${code};PRODUTO DE TESTE ${i};${mask};${weight};${i % 7 === 0 ? '' : 12 + (i % 4) * 12};${10 + i},50`);
  }
  return toCsv(lines);
}

function customersCsv(): Buffer {
  const lines = ['codigo;nome;cnpj;telefone;email'];
  for (let i = 0; i < CUSTOMERS; i++) {
    const phone = `(54) 9${String(80_000_000 + i)
      .padStart(8, '0')
      .replace(/^(\d{4})/, '$1-')}`;
    lines.push(
      `CB${i};LOJA DE TESTE ${i} LTDA;${cnpjFor(i)};${phone}|54 3221-${String(1000 + i)};loja${i}@exemplo.com.br`,
    );
  }
  return toCsv(lines);
}

function invoicesCsv(): Buffer {
  const lines = ['numero;cliente;emissao;pedido;produto;mascara;quantidade'];
  for (let n = 0; n < INVOICES; n++) {
    const day = String(1 + (n % 28)).padStart(2, '0');
    const month = String(1 + (n % 12)).padStart(2, '0');
    const customer = `CB${(n * 7) % CUSTOMERS}`;
    for (let k = 0; k < ITEMS_PER_INVOICE; k++) {
      const { code, mask } = productOf((n * 13 + k * 101) % PRODUCTS);
      lines.push(`${300_000 + n};${customer};${day}/${month}/2025;${80_000 + n};${code};${mask};${1 + ((n + k) % 5)}`);
    }
  }
  return toCsv(lines);
}

/**
 * Imports 500 products and 200 customers into `handle` (expected to be a fresh, migrated
 * database), then times the import of 20,000 invoice rows (5,000 invoices × 4 items, `;`,
 * dd/mm/yyyy) twice: the first import writes everything, the second must find it all unchanged.
 */
export async function runImportBench(handle: DbHandle, label: string): Promise<ImportBenchResult> {
  const setup = [await importCsv(handle.db, 'products', productsCsv(), OPTS)];
  setup.push(await importCsv(handle.db, 'customers', customersCsv(), OPTS));
  for (const r of setup) {
    if (r.rejected.length > 0)
      throw new Error(`bench ${r.kind} rejected rows: ${JSON.stringify(r.rejected.slice(0, 3))}`);
  }
  const bytes = invoicesCsv();
  const rows = INVOICES * ITEMS_PER_INVOICE;

  let t0 = performance.now();
  const first = await importCsv(handle.db, 'invoices', bytes, OPTS);
  const firstMs = performance.now() - t0;
  if (first.imported !== rows) {
    throw new Error(
      `bench first import: ${first.imported} imported of ${rows}: ${JSON.stringify(first.rejected.slice(0, 3))}`,
    );
  }
  t0 = performance.now();
  const second = await importCsv(handle.db, 'invoices', bytes, OPTS);
  const secondMs = performance.now() - t0;

  return {
    label,
    rows,
    firstMs: Math.round(firstMs),
    firstRowsPerSec: Math.round((rows * 1000) / firstMs),
    secondMs: Math.round(secondMs),
    secondRowsPerSec: Math.round((rows * 1000) / secondMs),
    secondAllUnchanged: second.unchanged === rows && second.total === rows,
  };
}
