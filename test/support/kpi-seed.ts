import type { Executor } from '../../src/db/client';
import { customers, products, requestEvents, requestItems, requests } from '../../src/db/schema';

/*
 * Requests with their history written straight into the database (shipping and release are
 * issue 6 items 1–4, built elsewhere): the KPIs' integration, API and browser tests share them.
 * Dates are UTC instants; São Paulo is UTC−3. Figures (period 01/10–30/11/2026, 9 and 15 days):
 *
 * | protocol  | cust | opened | released | shipped            | assist. | prod. | cost              |
 * |-----------|------|--------|----------|--------------------|---------|-------|-------------------|
 * | AT-900001 | K1   | 27/10  | 29/10    | 03/11              | 7       | 5     | 2×50 + 1×30 = 130 |
 * | AT-900002 | K2   | 05/10  | 12/10    | 20/10              | 15      | 8     | override 400      |  returned twice
 * | AT-900003 | K1   | 20/10  | 25/10    | 12/11 (charged)    | 23      | 18    | 2×50 = 100 (charged) |
 * | AT-900004 | K2   | 22/10  | 24/10    | 31/10 22:30 SP (01/11 UTC) | 9 | 7 | 2×30 = 60      |
 * | AT-900005 | K2   | 28/11  | –        | –                  |         |       | no product cost   |
 * | AT-900006 | K1   | 01/08  | 03/08    | 10/08 (outside)    |         |       |                   |
 */

export const KPI_PERIOD = { from: '2026-10-01', to: '2026-11-30' };
/** A customer name a spreadsheet would run as a formula. */
export const FORMULA_NAME = '=SOMA(1+1) MOVEIS';

type Ev = [at: string, from: string | null, to: string];

export async function seedKpiRequests(db: Executor): Promise<void> {
  const [k1, k2] = await db
    .insert(customers)
    .values([
      { code: 'K1', name: 'ALFA MOVEIS LTDA', cnpj: '11444777000161' },
      { code: 'K2', name: FORMULA_NAME, cnpj: '11222333000181' },
    ])
    .returning({ id: customers.id });
  const [p1, p2, p3] = await db
    .insert(products)
    .values([
      { code: 'KP1', description: 'PORTA KPI', weightKg: 3, cost: 50 },
      { code: 'KP2', description: 'GAVETA KPI', weightKg: 1, cost: 30 },
      { code: 'KP3', description: 'TAMPO SEM CUSTO', weightKg: 20, cost: null },
    ])
    .returning({ id: products.id });
  const product = { KP1: p1!.id, KP2: p2!.id, KP3: p3!.id } as const;

  const add = async (r: {
    protocol: string;
    customerId: number;
    origin?: 'bot' | 'sac';
    reason: string;
    status: string;
    inWarranty?: boolean;
    opened: string;
    released?: string;
    shipped?: string;
    costBrl?: number;
    items: [keyof typeof product, number][];
    events: Ev[];
  }) => {
    const [row] = await db
      .insert(requests)
      .values({
        protocol: r.protocol,
        status: r.status,
        channel: r.origin === 'sac' ? 'sac' : 'web',
        origin: r.origin ?? 'bot',
        customerId: r.customerId,
        contact: '+5554999990000',
        invoiceNumber: '990001',
        reasonCategory: r.reason,
        reasonDescription: 'peça com defeito',
        inWarranty: r.inWarranty ?? true,
        round: 1 + r.events.filter((e) => e[1] === 'returned' && e[2] === 'submitted').length,
        releasedAt: r.released ? new Date(r.released) : null,
        shippedAt: r.shipped ? new Date(r.shipped) : null,
        costBrl: r.costBrl ?? null,
        submittedAt: new Date(r.opened),
        createdAt: new Date(r.opened),
      })
      .returning({ id: requests.id });
    await db.insert(requestItems).values(
      r.items.map(([code, quantity]) => ({
        requestId: row!.id,
        productId: product[code],
        productCode: code,
        description: `PRODUTO ${code}`,
        quantity,
        weightKg: 1,
      })),
    );
    await db.insert(requestEvents).values(
      r.events.map(([at, from, to]) => ({
        requestId: row!.id,
        at: new Date(at),
        by: 'bot',
        kind: 'status' as const,
        fromStatus: from,
        toStatus: to,
      })),
    );
    // A note in between must not be taken for a status change.
    await db
      .insert(requestEvents)
      .values({ requestId: row!.id, at: new Date(r.opened), by: 'staff', kind: 'note', note: 'nota' });
  };

  const shippedPath = (accepted: Ev, released: string, shipped: string): Ev[] => [
    accepted,
    [released, 'imported', 'released'],
    [shipped, 'released', 'shipped'],
  ];
  await add({
    protocol: 'AT-900001',
    customerId: k1!.id,
    reason: 'industria',
    status: 'shipped',
    opened: '2026-10-27T13:00:00Z',
    released: '2026-10-29T12:00:00Z',
    shipped: '2026-11-03T12:00:00Z',
    items: [
      ['KP1', 2],
      ['KP2', 1],
    ],
    events: [
      ['2026-10-27T13:00:00Z', null, 'submitted'],
      ...shippedPath(['2026-10-27T19:00:00Z', 'submitted', 'accepted'], '2026-10-29T12:00:00Z', '2026-11-03T12:00:00Z'),
    ],
  });
  await add({
    protocol: 'AT-900002',
    customerId: k2!.id,
    reason: 'transporte',
    status: 'shipped',
    opened: '2026-10-05T12:00:00Z',
    released: '2026-10-12T12:00:00Z',
    shipped: '2026-10-20T12:00:00Z',
    costBrl: 400,
    items: [['KP1', 1]],
    events: [
      ['2026-10-05T12:00:00Z', null, 'submitted'],
      ['2026-10-05T18:00:00Z', 'submitted', 'returned'],
      ['2026-10-07T12:00:00Z', 'returned', 'submitted'],
      ['2026-10-08T12:00:00Z', 'submitted', 'returned'],
      ['2026-10-10T12:00:00Z', 'returned', 'submitted'],
      ...shippedPath(['2026-10-10T14:00:00Z', 'submitted', 'accepted'], '2026-10-12T12:00:00Z', '2026-10-20T12:00:00Z'),
    ],
  });
  await add({
    protocol: 'AT-900003',
    customerId: k1!.id,
    origin: 'sac',
    reason: 'cliente',
    status: 'shipped',
    inWarranty: false,
    opened: '2026-10-20T12:00:00Z',
    released: '2026-10-25T12:00:00Z',
    shipped: '2026-11-12T12:00:00Z',
    items: [['KP1', 2]],
    events: [
      ['2026-10-20T12:00:00Z', null, 'submitted'],
      ...shippedPath(['2026-10-21T12:00:00Z', 'submitted', 'charged'], '2026-10-25T12:00:00Z', '2026-11-12T12:00:00Z'),
    ],
  });
  await add({
    protocol: 'AT-900004',
    customerId: k2!.id,
    reason: 'industria',
    status: 'shipped',
    opened: '2026-10-22T12:00:00Z',
    released: '2026-10-24T12:00:00Z',
    shipped: '2026-11-01T01:30:00Z',
    items: [['KP2', 2]],
    events: [
      ['2026-10-22T12:00:00Z', null, 'submitted'],
      ...shippedPath(['2026-10-22T15:00:00Z', 'submitted', 'accepted'], '2026-10-24T12:00:00Z', '2026-11-01T01:30:00Z'),
    ],
  });
  await add({
    protocol: 'AT-900005',
    customerId: k2!.id,
    reason: 'industria',
    status: 'submitted',
    opened: '2026-11-28T12:00:00Z',
    items: [['KP3', 1]],
    events: [['2026-11-28T12:00:00Z', null, 'submitted']],
  });
  await add({
    protocol: 'AT-900006',
    customerId: k1!.id,
    reason: 'industria',
    status: 'shipped',
    opened: '2026-08-01T12:00:00Z',
    released: '2026-08-03T12:00:00Z',
    shipped: '2026-08-10T12:00:00Z',
    items: [['KP1', 1]],
    events: [
      ['2026-08-01T12:00:00Z', null, 'submitted'],
      ...shippedPath(['2026-08-01T13:00:00Z', 'submitted', 'accepted'], '2026-08-03T12:00:00Z', '2026-08-10T12:00:00Z'),
    ],
  });
}
