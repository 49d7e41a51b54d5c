import { z } from 'zod';
import { intentSchema, reasonCategorySchema } from '../signals';

/**
 * What the model must answer for one message (structured output). Every field is required and
 * nullable (OpenAI's strict JSON schema mode wants that); `evidence` is the customer's own words,
 * checked against the message before any value is used.
 */
export const extractionSchema = z
  .object({
    intent: intentSchema.nullable(),
    invoice_numbers: z.array(z.object({ value: z.string().max(30), evidence: z.string().max(300) }).strict()).max(10),
    cnpj: z
      .object({ value: z.string().max(30), evidence: z.string().max(300) })
      .strict()
      .nullable(),
    products: z
      .array(
        z
          .object({
            item_code: z.string().max(30).nullable(),
            words: z.string().max(300),
            quantity: z.number().int().positive().max(10_000).nullable(),
          })
          .strict(),
      )
      .max(30),
    reason: z
      .object({ category: reasonCategorySchema.nullable(), evidence: z.string().max(2000) })
      .strict()
      .nullable(),
    summary: z.string().max(500),
  })
  .strict();
export type Extraction = z.infer<typeof extractionSchema>;

/** What the model must answer for a reviewer's summary of a submitted request. */
export const reviewSummarySchema = z
  .object({
    summary: z.string().min(1).max(1200),
    reason_category: reasonCategorySchema.nullable(),
    grounds: z.array(z.string().max(300)).max(5),
  })
  .strict();
export type ReviewSummary = z.infer<typeof reviewSummarySchema>;

/** Keywords OpenAI's strict structured-output mode refuses; the zod schema still enforces them on the answer. */
const UNSUPPORTED = new Set([
  '$schema',
  'maxLength',
  'minLength',
  'maxItems',
  'minItems',
  'maximum',
  'exclusiveMinimum',
]);

function strip(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(strip);
  if (!node || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([k]) => !UNSUPPORTED.has(k))
      .map(([k, v]) => [k, strip(v)]),
  );
}

/** JSON Schema for the provider's structured-output mode (strict: no extra keys, all required). */
export function jsonSchemaOf(schema: z.ZodType): { [key: string]: unknown } {
  const out = strip(z.toJSONSchema(schema, { target: 'draft-7', io: 'output' }));
  return out && typeof out === 'object' && !Array.isArray(out) ? { ...out } : {};
}
