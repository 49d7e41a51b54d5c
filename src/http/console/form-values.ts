import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ClientError } from '../../services/errors';

/** A form field as a string ('' when absent or not a string). */
export const formString = (v: unknown): string => (typeof v === 'string' ? v : '');

/** The positive whole numbers of a repeated form field (`id=1&id=2`, or one value). */
export function formIds(v: unknown): number[] {
  const raw = Array.isArray(v) ? v : v === undefined ? [] : [v];
  return raw.map((x) => Number(x)).filter((n) => Number.isInteger(n) && n > 0);
}

const protocolParam = z.object({ protocol: z.string().regex(/^AT-\d{1,12}$/i) });

/** The `:protocol` route parameter, upper-cased; 404 when it is not one. */
export function protocolOf(req: FastifyRequest): string {
  const r = protocolParam.safeParse(req.params);
  if (!r.success) throw new ClientError(404, 'Solicitação não encontrada.');
  return r.data.protocol.toUpperCase();
}
