import type { ImportKind, ImportReport } from './import-report';

const KIND_PT: Record<ImportKind, string> = { products: 'produtos', customers: 'clientes', invoices: 'notas fiscais' };

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/**
 * The report as the CLI prints it (pt-BR, for office staff): a counts line, then one line per
 * rejected row, e.g.
 *
 * ```
 * clientes: 4 linhas — 2 importadas, 1 atualizada, 0 sem alteração, 1 rejeitada
 * linha 7: CNPJ inválido (12.345.678/0001-00)
 * ```
 */
export function formatImportReport(r: ImportReport): string {
  const counts =
    `${KIND_PT[r.kind]}: ${plural(r.total, 'linha', 'linhas')} — ` +
    `${plural(r.imported, 'importada', 'importadas')}, ${plural(r.updated, 'atualizada', 'atualizadas')}, ` +
    `${r.unchanged} sem alteração, ${plural(r.rejected.length, 'rejeitada', 'rejeitadas')}`;
  const lines = [...r.rejected].sort((a, b) => a.line - b.line).map((x) => `linha ${x.line}: ${x.reason}`);
  return [counts, ...lines].join('\n');
}
