import { z } from 'zod';

/**
 * Zod building blocks for CSV cells (always strings). Each cell schema trims, validates and
 * reports a pt-BR issue naming the column and the offending value; the row schemas of each
 * import kind are made of these.
 */

/** Reason given for a text cell that a spreadsheet would run as a formula. */
export const FORMULA_REASON = 'conteúdo parece fórmula de planilha';

// Control characters and invisible direction/zero-width marks: never stored, never echoed raw.
const UNSAFE_CHARS =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  /[\u0000-\u001F\u007F-\u009F\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF]/g;
const UNSAFE_CHAR = new RegExp(UNSAFE_CHARS.source);

/**
 * True when a spreadsheet would interpret the cell as a formula (CSV injection): it starts with
 * `=`, `@`, or with `+`/`-` followed by more text (`+cmd`, `-2+3`). A lone `-` is not a formula.
 */
export function looksLikeFormula(value: string): boolean {
  const v = value.trimStart();
  const c = v[0];
  if (c === '=' || c === '@') return true;
  return (c === '+' || c === '-') && v.length > 1;
}

/**
 * A cell value made safe to show in a report line: control and invisible characters as escapes
 * (`\n`, `\u0007`), cut at `max` characters with an ellipsis.
 */
export function showValue(value: string, max = 80): string {
  const chars = Array.from(value);
  const cut = chars.length > max ? `${chars.slice(0, max).join('')}…` : value;
  return cut.replace(UNSAFE_CHARS, (ch) => {
    if (ch === '\n') return '\\n';
    if (ch === '\r') return '\\r';
    if (ch === '\t') return '\\t';
    return `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

/** Whitespace runs (line breaks of multi-line cells included) folded to one space, trimmed. */
export function collapseSpaces(value: string): string {
  return value.replace(/\s+/g, ' ').trim();
}

/** Why a (collapsed, non-empty) text value cannot be stored, or null when it can. */
export function textProblem(column: string, value: string, max: number): string | null {
  if (looksLikeFormula(value)) return `${column}: ${FORMULA_REASON} (${showValue(value)})`;
  if (UNSAFE_CHAR.test(value)) {
    return `${column}: contém caracteres de controle ou invisíveis (${showValue(value)})`;
  }
  const len = Array.from(value).length;
  if (len > max) return `${column} com ${len} caracteres, o máximo é ${max} (${showValue(value, 40)})`;
  return null;
}

/** Adds a custom issue and returns zod's NEVER, for use inside `.transform`. */
export function fail(ctx: z.RefinementCtx, message: string): never {
  ctx.addIssue({ code: 'custom', message });
  return z.NEVER;
}

/**
 * A text cell: spaces collapsed, formulas, control characters and over-long values refused;
 * empty → `''`, or the issue `emptyMessage` when required.
 */
export function textCell(column: string, o: { max: number; required?: boolean; emptyMessage?: string }) {
  return z.string().transform((raw, ctx) => {
    const v = collapseSpaces(raw);
    if (v === '') return o.required ? fail(ctx, o.emptyMessage ?? `${column} vazio`) : '';
    const problem = textProblem(column, v, o.max);
    return problem ? fail(ctx, problem) : v;
  });
}

/** The messages of a failed row parse, joined: the row's rejection reason. */
export function issuesReason(error: z.ZodError): string {
  return error.issues.map((i) => i.message).join('; ');
}
