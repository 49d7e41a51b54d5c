import type { InvoiceItemHint } from '../../../src/understanding/signals';

/** Builds an invoice item hint for tests. */
export const item = (code: string, description: string, mask = '', quantity = 1): InvoiceItemHint => ({
  code,
  description,
  mask,
  quantity,
});

/** A kitchen invoice: two doors differing only by colour, a drawer front, hinges, a wall cabinet. */
export const KITCHEN: InvoiceItemHint[] = [
  item('615020', 'PORTA GIRO 350X720', 'BRANCO SUPREMO 15MM', 4),
  item('615021', 'PORTA GIRO 350X720', 'GRAFITE 15MM', 2),
  item('615044', 'FRENTE GAVETA 700X200', 'CINZA CRISTAL 15MM', 6),
  item('748012', 'DOBRADICA 165 GRAUS', '', 8),
  item('626028', 'MODULO AEREO 1000 3P', 'TECA 18MM', 1),
];
