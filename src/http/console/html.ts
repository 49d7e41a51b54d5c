import escapeHtml, { type HtmlSafeString, safe } from 'escape-html-template-tag';

/**
 * Type-safe HTML: every page is a function returning `Html`, built with the `html` tag, which
 * escapes every interpolated value (text and attribute values alike) unless it is itself `Html`.
 * Only strings, numbers, `Html` and arrays of them may be interpolated; `null`, `undefined` and
 * booleans render as nothing (so `${cond && html`…`}` works). Nothing user-supplied may go
 * through `trusted()`.
 */
export type Html = HtmlSafeString;
export type Sub = Html | string | number | boolean | null | undefined | readonly Sub[];

function norm(s: Sub): unknown {
  if (s === null || s === undefined || typeof s === 'boolean') return '';
  if (Array.isArray(s)) return s.map(norm);
  return s;
}

export function html(parts: TemplateStringsArray, ...subs: Sub[]): Html {
  return escapeHtml(parts, ...subs.map(norm));
}

/** Markup written in this code base (never data). */
export function trusted(markup: string): Html {
  return safe(markup);
}

/** Escaped text with line breaks kept as `<br>`. */
export function multiline(text: string): Html {
  const lines = text.split(/\r?\n/);
  return html`${lines.map((l, i) => (i === 0 ? html`${l}` : html`<br>${l}`))}`;
}

/** A query string from defined, non-empty values (each encoded). */
export function qs(params: Record<string, string | number | undefined | null>): string {
  const p = Object.entries(params).filter(
    (e): e is [string, string | number] => e[1] !== undefined && e[1] !== null && e[1] !== '',
  );
  return p.length ? `?${p.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`).join('&')}` : '';
}
