import type { Signals, UnderstandingContext } from '../../../src/understanding/signals';

/** Labels a fixture may carry; a label that is absent is not scored. `null` means "nothing". */
export interface FixtureExpect {
  intent?: string | null;
  invoiceNumbers?: string[];
  cnpj?: string | null;
  productCodes?: string[];
  quantities?: number[];
  reasonCategory?: string | null;
  yesNo?: 'yes' | 'no' | null;
  option?: number | null;
  protocol?: string | null;
  orderNumber?: string | null;
  promobTeam?: 'projects' | 'training' | null;
  correction?: boolean;
}

export interface Fixture {
  text: string;
  ctx?: UnderstandingContext;
  expect: FixtureExpect;
}

export type Field = keyof FixtureExpect;

const sorted = <T>(xs: T[]) => [...xs].map(String).sort();
const sameList = <T>(a: T[], b: T[]) => JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));

/** What the signals say for a labelled field, in the label's shape. */
export function actualValue(field: Field, s: Signals): unknown {
  switch (field) {
    case 'intent':
      return s.intents[0] ?? null;
    case 'invoiceNumbers':
      return s.invoiceNumbers;
    case 'cnpj':
      return s.cnpj ?? null;
    case 'productCodes':
      return s.productRefs.flatMap((r) => (r.code ? [r.code] : []));
    case 'quantities':
      return [
        ...s.productRefs.flatMap((r) => (r.quantity !== undefined ? [r.quantity] : [])),
        ...(s.quantity !== undefined ? [s.quantity] : []),
      ];
    case 'reasonCategory':
      return s.reason?.category ?? null;
    case 'yesNo':
      return s.yesNo ?? null;
    case 'option':
      return s.option ?? null;
    case 'protocol':
      return s.protocol ?? null;
    case 'orderNumber':
      return s.orderNumber ?? null;
    case 'promobTeam':
      return s.promobTeam ?? null;
    case 'correction':
      return s.correction === true;
  }
}

/** True when the signals agree with the label of `field`. */
export function fieldMatches(field: Field, expected: unknown, s: Signals): boolean {
  const actual = actualValue(field, s);
  if (Array.isArray(expected) && Array.isArray(actual)) return sameList(expected, actual);
  return JSON.stringify(actual) === JSON.stringify(expected);
}

export interface FieldStats {
  total: number;
  correct: number;
  failures: string[];
}

/** Per-field accuracy over the fixtures that label the field. */
export function evaluate(fixtures: Fixture[], understand: (text: string, ctx: UnderstandingContext) => Signals) {
  const stats = new Map<Field, FieldStats>();
  for (const fx of fixtures) {
    const signals = understand(fx.text, fx.ctx ?? {});
    for (const [field, expected] of Object.entries(fx.expect) as Array<[Field, unknown]>) {
      const st = stats.get(field) ?? { total: 0, correct: 0, failures: [] };
      st.total++;
      if (fieldMatches(field, expected, signals)) st.correct++;
      else
        st.failures.push(
          `${JSON.stringify(fx.text.slice(0, 90))} expected ${JSON.stringify(expected)} got ${JSON.stringify(actualValue(field, signals))}`,
        );
      stats.set(field, st);
    }
  }
  return stats;
}

/** Fixed-width table of per-field accuracy, for the test log. */
export function formatTable(title: string, stats: Map<Field, FieldStats>): string {
  const rows = [...stats.entries()].map(
    ([f, s]) =>
      `${f.padEnd(16)} ${String(s.correct).padStart(4)}/${String(s.total).padEnd(4)} ${((100 * s.correct) / s.total).toFixed(1).padStart(6)}%`,
  );
  return [`${title}`, ...rows].join('\n');
}
