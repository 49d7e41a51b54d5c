import { parse } from 'csv-parse/sync';
import { eq } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { T } from '../../flows/texts';
import type { RequestJson } from '../../src/db/requests-repo';
import { erpBatches, forwards, requests } from '../../src/db/schema';
import { recordRelease } from '../../src/services/production';
import { photo, said, startTestApp, type TestApp, TODAY } from '../support/app';
import { type ConsoleAgent, consoleAgents } from '../support/browser';
import { dbKinds } from '../support/db';

/*
 * After the review, through the console over HTTP: FOCCO import data (validation, defaults), the
 * export batch (CSV and XLSX parsed back, formula-looking text neutralised, the same file again),
 * the charged customer's order number, the finance release (after the import, never before),
 * the day's release, shipping (customer told), closing, search by ERP order number.
 */
const PASSWORD = 'senha-console-1';
const L100 = '(54) 99911-2233';
const L200 = '+55 51 98877-6655';

describe.each(dbKinds())('after the review on %s', (kind) => {
  let t: TestApp;
  let manager = '';
  const as: Record<string, ConsoleAgent> = {};
  const delivered: number[][] = [];

  async function submit(from: string, text: string): Promise<string> {
    let replies = await t.say(from, text, { photos: [await photo()] });
    for (let i = 0; i < 3 && !/AT-\d{6}/.test(said(replies)); i++) replies = await t.say(from, 'sim');
    return /AT-\d{6}/.exec(said(replies))![0];
  }
  const json = async (protocol: string) => (await t.api<RequestJson>('GET', `/api/requests/${protocol}`, manager)).json;
  const decide = async (protocol: string, decision: string, message = '') => {
    const res = await as.assistant!.post(`/console/requests/${protocol}/decision`, { decision, message, confirm: '1' });
    expect(res.status).toBe(303);
  };
  const erpForm = (over: Record<string, string> = {}) => ({
    erpOrderNumber: '500001',
    salesDivision: 'ASSISTENCIA TECNICA',
    reason: 'AVARIA NO TRANSPORTE',
    paymentCondition: 'SEM COBRANCA',
    cfop: '5949',
    weightKg: '6,4',
    volumes: '2',
    orderSequence: '',
    ...over,
  });

  beforeAll(async () => {
    t = await startTestApp(kind, { console: { deliver: (ids) => delivered.push(ids) } });
    manager = await t.token('manager');
    Object.assign(as, await consoleAgents(t.handle.db, t.base, ['assistant', 'finance'], PASSWORD));
  }, 120_000);
  afterAll(() => t?.close());

  it('takes a warranty and a charged request from the decision to closing', async () => {
    const a = as.assistant!;
    const warranty = await submit(L100, 'NF 88001 a porta basculante 410100 chegou amassada. 2 portas');
    const charged = await submit(L200, 'nf 88003 a prateleira 520048 veio com a furação errada, 1 un');
    await decide(warranty, 'accept');
    await decide(charged, 'charge', 'Dano na montagem.');

    // The form comes filled from the request: weight = 2 × 3,2 kg, pieces 2, CFOP inside RS.
    const page = await a.get(`/console/requests/${warranty}`);
    expect(page.text).toContain('Depois da análise');
    expect(page.text).toMatch(/name="weightKg" value="6.4"/);
    expect(page.text).toMatch(/name="volumes" value="2"/);
    expect(page.text).toMatch(/name="cfop" value="5.949"/);
    expect(page.text).toContain('AVARIA NO TRANSPORTE');

    // Bad values: every problem named, what was typed kept, nothing saved.
    const bad = await a.post(
      `/console/requests/${warranty}/erp`,
      erpForm({ erpOrderNumber: 'PED-1', cfop: '59', weightKg: 'muito', volumes: '0' }),
    );
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('Número do pedido no ERP: só números');
    expect(bad.text).toContain('CFOP: use 4 dígitos');
    expect(bad.text).toContain('Peso (kg): informe um número');
    expect(bad.text).toContain('Volumes (peças): informe um número inteiro');
    expect(bad.text).toContain('value="PED-1"');
    expect((await json(warranty)).status).toBe('accepted');
    expect((await t.handle.db.select().from(requests).where(eq(requests.protocol, warranty)))[0]?.erp).toBeNull();

    // Export is refused while a chosen request has no ERP data.
    expect(
      (await a.post(`/console/requests/${warranty}/erp`, erpForm({ salesDivision: '=HYPERLINK("x")' }))).status,
    ).toBe(303);
    const ids = async (p: string) => (await t.handle.db.select().from(requests).where(eq(requests.protocol, p)))[0]!.id;
    const chosen: [string, string][] = [
      ['_csrf', a.csrf],
      ['scope', 'chosen'],
      ['id', String(await ids(warranty))],
      ['id', String(await ids(charged))],
    ];
    const refused = await a.request('POST', '/console/erp/export', { form: chosen });
    expect(refused.status).toBe(409);
    expect(refused.text).toContain(charged);

    // The same ERP order number cannot be used twice.
    const dup = await a.post(`/console/requests/${charged}/erp`, erpForm({ weightKg: '2,2', volumes: '1' }));
    expect(dup.status).toBe(422);
    expect(dup.text).toContain(`já usado em ${warranty}`);
    expect(
      (
        await a.post(
          `/console/requests/${charged}/erp`,
          erpForm({
            erpOrderNumber: '500002',
            paymentCondition: 'A VISTA',
            weightKg: '2,2',
            volumes: '1',
            orderSequence: '1',
          }),
        )
      ).status,
    ).toBe(303);

    const erpPage = await a.get('/console/erp');
    expect(erpPage.text).toContain('2 prontas');
    const exported = await a.request('POST', '/console/erp/export', { form: chosen });
    expect(exported.status).toBe(303);
    const batch = /batch=(\d+)/.exec(exported.location ?? '')![1]!;
    expect((await json(warranty)).status).toBe('imported');
    expect((await json(charged)).status).toBe('imported');
    // The charged customer gets the order number to ask finance with.
    expect((await t.inbox(L200)).at(-1)?.text).toBe(T.chargedOrderCreated(charged, '500002'));

    // CSV: BOM, ";", the data as entered, the formula neutralised; the same bytes again.
    const csv = await a.get(`/console/erp/batches/${batch}/csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-disposition')).toContain('.csv');
    expect(csv.bytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const rows = parse(csv.bytes.toString('utf8').slice(1), { delimiter: ';' }) as string[][];
    const header = rows[0]!;
    const col = (row: string[], name: string) => row[header.indexOf(name)];
    expect(rows).toHaveLength(3); // header + one item each
    const w = rows.find((r) => col(r, 'PROTOCOLO') === warranty)!;
    const c = rows.find((r) => col(r, 'PROTOCOLO') === charged)!;
    expect(col(w, 'PEDIDO')).toBe('500001');
    expect(col(w, 'DIVISAO_VENDA')).toBe(`'=HYPERLINK("x")`);
    expect(col(w, 'CFOP')).toBe('5.949');
    expect(col(w, 'PESO_KG')).toBe('6,4');
    expect(col(w, 'TIPO')).toBe('GARANTIA');
    expect(col(w, 'ITEM')).toBe('410100');
    expect(col(w, 'QTDE')).toBe('2');
    expect(col(w, 'NF_ORIGEM')).toBe('88001');
    expect(col(w, 'DATA_DECISAO')).toMatch(/^\d{2}\/\d{2}\/\d{4}$/);
    expect(col(c, 'TIPO')).toBe('COBRADA');
    expect(col(c, 'SEQ_PEDIDO_CLIENTE')).toBe('1');
    expect(col(c, 'COND_PAGAMENTO')).toBe('A VISTA');
    expect((await a.get(`/console/erp/batches/${batch}/csv`)).bytes.equals(csv.bytes)).toBe(true);

    // XLSX: the same rows, numbers as numbers, text never a formula; the same bytes again.
    const xlsx = await a.get(`/console/erp/batches/${batch}/xlsx`);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.bytes as unknown as ArrayBuffer);
    const sheet = wb.worksheets[0]!;
    const cells: unknown[][] = [];
    sheet.eachRow((row) => cells.push((row.values as unknown[]).slice(1)));
    const [stored] = await t.handle.db
      .select()
      .from(erpBatches)
      .where(eq(erpBatches.id, Number(batch)));
    expect(cells).toEqual(
      stored!.table.map((r) => r.map((v) => (typeof v === 'string' && /^[=+\-@]/.test(v) ? `'${v}` : v))),
    );
    expect(cells.flat()).toContain(6.4);
    sheet.eachRow((row) => row.eachCell((cell) => expect(cell.type).not.toBe(ExcelJS.ValueType.Formula)));
    expect((await a.get(`/console/erp/batches/${batch}/xlsx`)).bytes.equals(xlsx.bytes)).toBe(true);

    // Search by the ERP order number: console queue and staff API.
    expect((await a.get('/console/requests?q=500002')).text).toContain(charged);
    const found = await t.api<{ items: { protocol: string }[] }>('GET', '/api/requests?q=500001', manager);
    expect(found.json.items.map((i) => i.protocol)).toEqual([warranty]);

    // The customer asks by the ERP order number: found, and told to ask finance.
    const status = said(await t.say(L200, 'qual o andamento do pedido 500002?'));
    expect(status).toContain(charged);
    expect(status).toContain('peça a liberação ao financeiro');

    // Release: only the warranty one is a candidate until finance releases the charged one.
    let release = await a.get('/console/releases');
    expect(release.text).toContain(warranty);
    expect(release.text).not.toContain(charged);

    // Finance: the customer's request from the bot is linked and answered by the release.
    const chargedId = await ids(charged);
    const [customer] = await t.handle.db
      .select({ customerId: requests.customerId, conversationId: requests.conversationId })
      .from(requests)
      .where(eq(requests.id, chargedId));
    const [fw] = await t.handle.db
      .insert(forwards)
      .values({
        team: 'finance',
        conversationId: customer!.conversationId,
        channel: 'web',
        address: '+5551988776655',
        customerId: customer!.customerId,
        intent: 'financeiro',
        question: 'liberar o pedido 500002',
        orderNumber: '500002',
      })
      .returning();
    expect((await a.post(`/console/requests/${charged}/finance-release`)).status).toBe(403);
    const f = as.finance!;
    expect((await f.get('/console/finance')).text).toContain(charged);
    expect((await f.post(`/console/requests/${charged}/finance-release`)).status).toBe(303);
    expect((await f.post(`/console/requests/${charged}/finance-release`)).status).toBe(409);
    expect((await t.inbox(L200)).at(-1)?.text).toBe(T.financeReleased(charged, '500002'));
    const [answered] = await t.handle.db.select().from(forwards).where(eq(forwards.id, fw!.id));
    expect(answered).toMatchObject({ status: 'answered', requestId: chargedId });

    // The plan proposes both (warranty first); over the cap needs a confirmation.
    release = await a.get('/console/releases');
    expect(release.text.indexOf(warranty)).toBeLessThan(release.text.indexOf(charged));
    expect(release.text).toMatch(/Total escolhido: <b data-total>8,6 kg<\/b>/);
    const both = [await ids(warranty), chargedId];
    await expect(recordRelease(t.handle.db, both, 'test', { capKg: 5, day: TODAY })).rejects.toThrow(/passa do limite/);
    const released = await a.request('POST', '/console/releases', {
      form: [
        ['_csrf', a.csrf],
        ['id', String(both[0])],
        ['id', String(both[1])],
      ],
    });
    expect(released.status).toBe(303);
    expect((await json(warranty)).status).toBe('released');
    expect((await json(charged)).status).toBe('released');

    // Shipping: the date is checked, the customer told; then closing.
    expect(
      (await a.post(`/console/requests/${warranty}/shipment`, { date: '31/12/2099', shipmentInvoice: '77001' })).status,
    ).toBe(400);
    expect(
      (await a.post(`/console/requests/${warranty}/shipment`, { date: '29/11/2026', shipmentInvoice: 'x' })).status,
    ).toBe(400);
    expect(
      (await a.post(`/console/requests/${warranty}/shipment`, { date: '29/11/2026', shipmentInvoice: '77001' })).status,
    ).toBe(303);
    expect((await t.inbox(L100)).at(-1)?.text).toBe(T.shipped(warranty, '29/11/2026', '77001'));
    const shipped = await json(warranty);
    expect(shipped.status).toBe('shipped');
    expect((await a.post(`/console/requests/${warranty}/close`, { note: '' })).status).toBe(303);
    expect((await json(warranty)).status).toBe('closed');
    expect((await a.post(`/console/requests/${warranty}/close`, { note: '' })).status).toBe(409);
    expect(delivered.length).toBeGreaterThanOrEqual(3); // export, finance release, shipment
  }, 120_000);

  it('exports the kind of the final decision when it changed after the ERP data was saved', async () => {
    const a = as.assistant!;
    const from = '(11) 97766-5544';
    const protocol = await submit(from, 'nf 88004 o puxador 930028 veio riscado de fábrica, 2 unidades');
    await decide(protocol, 'accept');
    const saved = await a.post(
      `/console/requests/${protocol}/erp`,
      erpForm({ erpOrderNumber: '500009', weightKg: '0,4' }),
    );
    expect(saved.status).toBe(303);
    await decide(protocol, 'charge', 'Reanalisado: dano no manuseio.');
    // L300 is in SP: outside the company's state, the charged default CFOP is 6.949.
    expect((await a.get(`/console/requests/${protocol}`)).text).toMatch(/6\.949 fora/);
    const [row] = await t.handle.db.select().from(requests).where(eq(requests.protocol, protocol));
    const exported = await a.request('POST', '/console/erp/export', {
      form: [
        ['_csrf', a.csrf],
        ['scope', 'chosen'],
        ['id', String(row!.id)],
      ],
    });
    expect(exported.status).toBe(303);
    const batch = /batch=(\d+)/.exec(exported.location ?? '')![1]!;
    const csv = parse((await a.get(`/console/erp/batches/${batch}/csv`)).bytes.toString('utf8').slice(1), {
      delimiter: ';',
    }) as string[][];
    expect(csv[1]![csv[0]!.indexOf('TIPO')]).toBe('COBRADA');
    expect((await t.inbox(from)).at(-1)?.text).toBe(T.chargedOrderCreated(protocol, '500009'));
  }, 60_000);
});
