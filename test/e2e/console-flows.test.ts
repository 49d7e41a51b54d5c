import { eq, sql } from 'drizzle-orm';
import { T } from '../../flows/texts';
import type { RequestJson } from '../../src/db/requests-repo';
import { auditLog, forwards, messages, outbox, requestEvents, requests } from '../../src/db/schema';
import { localDate } from '../../src/domain/calendar';
import { photo, said, startTestApp, type TestApp } from '../support/app';
import { ConsoleAgent, consoleAgents } from '../support/browser';
import { dbKinds } from '../support/db';

/*
 * What staff do in the console, at the HTTP level: decisions with their confirmation, field
 * corrections and notes (history + audit), SAC cases and forwarded conversations, the forwards
 * inbox, the channels page, users, the audit log, queue filters and search.
 */
const PASSWORD = 'senha-console-1';
const L100 = '(54) 99911-2233';
const L200 = '+55 51 98877-6655';

describe.each(dbKinds())('console flows on %s', (kind) => {
  let t: TestApp;
  const delivered: number[][] = [];
  const retried: number[] = [];
  let channels: Record<string, { state: string; detail?: string; qr?: string }> = { web: { state: 'up' } };
  const as: Record<string, ConsoleAgent> = {};
  let manager = '';

  async function submit(from: string, text: string): Promise<string> {
    let replies = await t.say(from, text, { photos: [await photo()] });
    for (let i = 0; i < 3 && !/AT-\d{6}/.test(said(replies)); i++) replies = await t.say(from, 'sim');
    return /AT-\d{6}/.exec(said(replies))![0];
  }
  const json = async (protocol: string) => (await t.api<RequestJson>('GET', `/api/requests/${protocol}`, manager)).json;

  beforeAll(async () => {
    t = await startTestApp(kind, {
      console: {
        deliver: (ids) => delivered.push(ids),
        channelStatus: () => channels,
        retryOutbox: async (id) => {
          retried.push(id);
          return true;
        },
      },
    });
    manager = await t.token('manager');
    Object.assign(
      as,
      await consoleAgents(
        t.handle.db,
        t.base,
        ['assistant', 'manager', 'sac', 'finance', 'projects', 'training', 'commercial'],
        PASSWORD,
      ),
    );
  }, 120_000);
  afterAll(() => t?.close());

  it('decides only after the confirmation step, which shows the customer’s text', async () => {
    const protocol = await submit(L200, 'nf 88003 a prateleira 520048 veio com a furação errada, 1 un');
    const a = as.assistant!;
    await a.get(`/console/requests/${protocol}`);
    const missing = await a.post(`/console/requests/${protocol}/decision/preview`, { decision: 'charge' });
    expect(missing.status).toBe(400);
    expect(missing.text).toMatch(/mensagem ao cliente/i);
    const preview = await a.post(`/console/requests/${protocol}/decision/preview`, {
      decision: 'charge',
      message: '',
      preset: 'O item está fora do prazo de garantia.',
    });
    expect(preview.status).toBe(200);
    const expected = T.decisionCharged(protocol, 'O item está fora do prazo de garantia.', '70003');
    expect(preview.text).toContain('O cliente vai receber');
    expect((await json(protocol)).status).toBe('submitted');
    // htmx gets the confirmation box alone.
    const fragment = await a.request('POST', `/console/requests/${protocol}/decision/preview`, {
      form: { _csrf: a.csrf, decision: 'charge', message: 'O item está fora do prazo de garantia.' },
      headers: { 'hx-request': 'true' },
    });
    expect(fragment.text.startsWith('<div class="confirm"')).toBe(true);
    const unconfirmed = await a.post(`/console/requests/${protocol}/decision`, {
      decision: 'charge',
      message: 'O item está fora do prazo de garantia.',
    });
    expect(unconfirmed.status).toBe(400);
    const done = await a.post(`/console/requests/${protocol}/decision`, {
      decision: 'charge',
      message: 'O item está fora do prazo de garantia.',
      confirm: '1',
    });
    expect(done.status).toBe(303);
    expect(done.location).toBe(`/console/requests/${protocol}?ok=decided`);
    expect((await t.inbox(L200)).at(-1)?.text).toBe(expected);
    const req = await json(protocol);
    expect(req.status).toBe('charged');
    expect(req.history.at(-1)).toMatchObject({ status: 'charged', by: 'user:assistant@posvenda.test' });
    // Finance now sees it; a second decision that the domain forbids is refused.
    expect((await as.finance!.get(`/console/requests/${protocol}`)).status).toBe(200);
    const queue = await as.finance!.get('/console/requests');
    expect(queue.text).toContain(protocol);
    const again = await a.post(`/console/requests/${protocol}/decision/preview`, { decision: 'return', message: 'x' });
    expect(again.status).toBe(409);
  });

  it('records corrections as edit events (before → after) and notes without telling the customer', async () => {
    const protocol = await submit(L100, 'NF 88001 a porta basculante 410100 chegou amassada. 2 portas');
    const a = as.assistant!;
    const page = await a.get(`/console/requests/${protocol}`);
    const itemId = /name="qty_(\d+)"/.exec(page.text)![1]!;
    const addable = [...page.text.matchAll(/<option value="(\d+)">(\d+) /g)].map((m) => ({ id: m[1]!, code: m[2]! }));
    const hinge = addable.find((o) => o.code === '930011')!;
    const before = (await t.inbox(L100)).length;

    expect((await a.post(`/console/requests/${protocol}/items`, { [`qty_${itemId}`]: '9' })).status).toBe(400);
    expect((await a.post(`/console/requests/${protocol}/items`, { [`qty_${itemId}`]: '3' })).status).toBe(303);
    expect(
      (
        await a.post(`/console/requests/${protocol}/items`, {
          [`qty_${itemId}`]: '3',
          add_product: hinge.id,
          add_qty: '2',
        })
      ).status,
    ).toBe(303);
    expect(
      (await a.post(`/console/requests/${protocol}/items`, { [`qty_${itemId}`]: '3', [`remove_${itemId}`]: '1' }))
        .status,
    ).toBe(303);
    expect((await a.post(`/console/requests/${protocol}/reason`, { category: 'industria' })).status).toBe(303);
    expect((await a.post(`/console/requests/${protocol}/invoice`, { invoice: '88003' })).status).toBe(400); // another customer's
    expect((await a.post(`/console/requests/${protocol}/invoice`, { invoice: '88002' })).status).toBe(303);
    expect(
      (await a.post(`/console/requests/${protocol}/notes`, { note: 'Cliente ligou: a porta já foi trocada.' })).status,
    ).toBe(303);

    const req = await json(protocol);
    expect(req.items.map((i) => [i.productCode, i.quantity])).toEqual([['930011', 2]]);
    expect(req.reason.category).toBe('industria');
    expect(req.invoiceNumber).toBe('88002');
    expect(req.orderNumber).toBe('70002');
    const edits = req.history.filter((h) => h.kind === 'edit').map((h) => h.note);
    expect(edits).toEqual([
      expect.stringMatching(/410100 \(CARVALHO MALVA 18MM\): quantidade 2 → 3/),
      expect.stringMatching(/adicionado 930011 \(quantidade 2\)/),
      expect.stringMatching(/removido 410100 .*quantidade 3/),
      'Motivo corrigido: transporte → industria',
      'NF corrigida: 88001 → 88002',
    ]);
    const [row] = await t.handle.db.select().from(requests).where(eq(requests.protocol, protocol));
    const data = await t.handle.db
      .select({ data: requestEvents.data })
      .from(requestEvents)
      .where(eq(requestEvents.requestId, row!.id));
    expect(data.map((d) => d.data)).toContainEqual({
      field: 'reasonCategory',
      before: 'transporte',
      after: 'industria',
    });
    expect(req.history.at(-1)).toMatchObject({ kind: 'note', note: 'Cliente ligou: a porta já foi trocada.' });
    expect((await t.inbox(L100)).length).toBe(before);
    const audit = await t.handle.db.select().from(auditLog).where(eq(auditLog.target, protocol));
    expect(audit.map((x) => x.action).sort()).toEqual([...Array(5).fill('request.edit'), 'request.note'].sort());
    // Commercial reads the page but gets no forms.
    const ro = await as.commercial!.get(`/console/requests/${protocol}`);
    expect(ro.status).toBe(200);
    expect(ro.text).not.toMatch(/<form method="post" action="[^"]*(decision|items|notes)/);
  });

  it('SAC opens a case on the customer’s behalf, with an uploaded photo, and it enters the queue', async () => {
    const sac = as.sac!;
    const formPage = await sac.get('/console/sac/new?nf=88004');
    expect(formPage.text).toContain('CASA &amp; CIA MARCENARIA ME');
    const productId = /name="qty_(\d+)"/.exec(formPage.text)![1]!;
    const send = async (file: Blob, name: string) => {
      const f = new FormData();
      f.append('_csrf', sac.csrf);
      f.append('nf', '88004');
      f.append('customer', 'L300');
      f.append('contact', '(11) 97766-5544');
      f.append(`qty_${productId}`, '2');
      f.append('reason', 'transporte');
      f.append('description', 'Cliente ligou: puxadores chegaram riscados.');
      f.append('photos', file, name);
      return sac.request('POST', '/console/sac/cases', { body: f });
    };
    const bad = await send(new Blob(['%PDF-1.4 not an image']), 'nota.pdf');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('nota.pdf');
    const ok = await send(new Blob([new Uint8Array(await photo())], { type: 'image/jpeg' }), 'puxador.jpg');
    expect(ok.status).toBe(303);
    const protocol = /AT-\d{6}/.exec(ok.location!)![0];
    const req = await json(protocol);
    expect(req).toMatchObject({
      status: 'submitted',
      channel: 'sac',
      origin: 'sac',
      contact: '+5511977665544',
      invoiceNumber: '88004',
      customer: { code: 'L300' },
      reason: { category: 'transporte' },
      warranty: { inWarranty: true },
    });
    expect(req.items).toEqual([expect.objectContaining({ productCode: '930028', quantity: 2 })]);
    expect(req.photos).toHaveLength(1);
    const page = await as.assistant!.get(`/console/requests/${protocol}`);
    expect(page.text).toContain('puxador.jpg');
    expect(page.text).toContain('origem SAC');
    const queue = await as.assistant!.get('/console/requests?channel=sac');
    expect(queue.text).toContain(protocol);
    expect(queue.text).toContain('origem SAC');
    // Decisions on a SAC case reach the customer's contact.
    await as.assistant!.post(`/console/requests/${protocol}/decision`, { decision: 'accept', confirm: '1' });
    expect((await t.inbox('(11) 97766-5544')).at(-1)?.text).toBe(T.decisionAccepted(protocol));
  });

  it('SAC forwards a conversation; the assistance team answers it on the customer’s channel', async () => {
    // An e-mail conversation, so the answer needs a channel send (deliver gets its outbox id).
    await t.engine.handle({
      channel: 'email',
      address: 'loja@espacodecor.com.br',
      externalId: '<m1@espacodecor>',
      text: 'Bom dia, a porta do armário ficou desalinhada depois da montagem.',
      attachments: [],
      thread: { messageId: '<m1@espacodecor>', subject: 'Porta desalinhada' },
    });
    const sac = as.sac!;
    const search = await sac.get('/console/sac/forward?q=espacodecor');
    const conv = /conversation(?:=|&#x3D;)([0-9a-f-]{36})/.exec(search.text)![1]!;
    const chosen = await sac.get(`/console/sac/forward?q=espacodecor&conversation=${conv}`);
    expect(chosen.text).toContain('porta do armário ficou desalinhada');
    expect((await sac.post('/console/sac/forward', { conversation: conv, note: '' })).status).toBe(400);
    const fwd = await sac.post('/console/sac/forward', {
      conversation: conv,
      note: 'Cliente pediu retorno por telefone.',
    });
    expect(fwd.status).toBe(303);
    const [row] = await t.handle.db.select().from(forwards).where(eq(forwards.conversationId, conv));
    expect(row).toMatchObject({ team: 'assistance', intent: 'sac', status: 'open', channel: 'email' });

    const inbox = await as.assistant!.get('/console/forwards?team=assistance');
    expect(inbox.text).toContain('Cliente pediu retorno por telefone.');
    expect(inbox.text).toContain('Encaminhado pelo SAC por sac@posvenda.test');
    expect(inbox.text).toContain('porta do armário ficou desalinhada'); // conversation context
    expect((await as.assistant!.get('/console')).text).toMatch(/encaminhamento\(s\) em aberto/);
    delivered.length = 0;
    const ans = await as.assistant!.post(`/console/forwards/${row!.id}/answer?team=assistance`, {
      text: 'Vamos ligar hoje à tarde.',
    });
    expect(ans.status).toBe(303);
    expect(delivered.flat().length).toBe(1);
    const [out] = await t.handle.db
      .select({ text: messages.text, status: outbox.status })
      .from(outbox)
      .innerJoin(messages, eq(messages.id, outbox.messageId))
      .where(eq(outbox.id, delivered.flat()[0]!));
    expect(out).toEqual({
      text: T.teamAnswer('equipe da Assistência Técnica', 'Vamos ligar hoje à tarde.'),
      status: 'pending',
    });
    const [after] = await t.handle.db.select().from(forwards).where(eq(forwards.id, row!.id));
    expect(after).toMatchObject({ status: 'answered', answeredBy: 'user:assistant@posvenda.test' });
    expect((await as.assistant!.post(`/console/forwards/${row!.id}/answer`, { text: 'de novo' })).status).toBe(409);
  });

  it('team inboxes: the Promob team answers its question; the customer reads it in the web chat', async () => {
    await t.say('contato@artemoveis.com.br', 'O render do Promob não abre no meu computador, o que faço?');
    const [row] = await t.handle.db.select().from(forwards).where(sql`${forwards.question} like '%render do Promob%'`);
    expect(['projects', 'training']).toContain(row!.team);
    const team = as[row!.team]!;
    const other = as[row!.team === 'projects' ? 'training' : 'projects']!;
    const page = await team.get('/console/forwards');
    expect(page.text).toMatch(/render do Promob/);
    expect(page.text).toContain(`action="/console/forwards/${row!.id}/answer`);
    expect((await other.get('/console/forwards')).text).not.toMatch(/render do Promob/);
    expect(
      (await team.post(`/console/forwards/${row!.id}/answer`, { text: 'Atualize o driver de vídeo.' })).status,
    ).toBe(303);
    expect((await t.inbox('contato@artemoveis.com.br')).at(-1)?.text).toBe(
      T.teamAnswer(
        row!.team === 'projects' ? 'equipe de Projetos' : 'equipe de Treinamento',
        'Atualize o driver de vídeo.',
      ),
    );
    const answered = await team.get('/console/forwards?status=answered');
    expect(answered.text).toContain('Atualize o driver de vídeo.');
  });

  it('channels page: status, WhatsApp QR as an image, failed messages with retry', async () => {
    channels = {
      web: { state: 'up' },
      whatsapp: { state: 'pairing', detail: 'Escaneie o QR', qr: '2@abc,def,ghi' },
      telegram: { state: 'down', detail: 'getUpdates: 401 Unauthorized' },
    };
    const [msg] = await t.handle.db
      .insert(messages)
      .values({ channel: 'telegram', address: 'telegram:42', direction: 'out', text: 'Olá <b>cliente</b>' })
      .returning({ id: messages.id });
    const [box] = await t.handle.db
      .insert(outbox)
      .values({
        messageId: msg!.id,
        channel: 'telegram',
        address: 'telegram:42',
        status: 'failed',
        attempts: 5,
        lastError: 'timeout',
      })
      .returning({ id: outbox.id });
    const a = as.assistant!;
    const page = await a.get('/console/channels');
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/<img src="data:image&#x2F;png;base64,[A-Za-z0-9+&#x;]+"/);
    expect(page.text).toContain('aguardando pareamento');
    expect(page.text).toContain('getUpdates: 401 Unauthorized');
    expect(page.text).toContain('Olá &lt;b&gt;cliente&lt;&#x2F;b&gt;');
    const res = await a.post(`/console/outbox/${box!.id}/retry`);
    expect(res.status).toBe(303);
    expect(retried).toEqual([box!.id]);
    const audit = await t.handle.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.target, `outbox:${box!.id}`));
    expect(audit.map((x) => x.action)).toEqual(['outbox.retry']);
  });

  it('managers create users (password shown once), reset passwords (sessions end) and read the audit log', async () => {
    const m = as.manager!;
    await m.get('/console/users');
    const created = await m.post('/console/users', { name: 'Nova SAC', email: 'Nova@Posvenda.test', role: 'sac' });
    expect(created.status).toBe(200);
    expect(created.headers.get('cache-control')).toBe('no-store');
    const password = /<code class="password">([^<]+)<\/code>/.exec(created.text)![1]!;
    expect((await m.get('/console/users')).text).not.toContain(password);
    const dup = await m.post('/console/users', { name: 'X', email: 'nova@posvenda.test', role: 'sac' });
    expect(dup.status).toBe(409);
    const nova = new ConsoleAgent(t.base);
    expect((await nova.login('nova@posvenda.test', password)).status).toBe(303);
    const id = /action="\/console\/users\/(\d+)\/password"/.exec(
      [...(await m.get('/console/users')).text.split('<tr>')].find((r) => r.includes('nova@posvenda.test'))!,
    )![1]!;
    const reset = await m.post(`/console/users/${id}/password`);
    const fresh = /<code class="password">([^<]+)<\/code>/.exec(reset.text)![1]!;
    expect(fresh).not.toBe(password);
    expect((await nova.get('/console/requests')).status).toBe(302);
    expect((await new ConsoleAgent(t.base).login('nova@posvenda.test', password)).status).toBe(401);
    expect((await new ConsoleAgent(t.base).login('nova@posvenda.test', fresh)).status).toBe(303);

    const audit = await m.get('/console/audit?action=user.password');
    expect(audit.text).toContain('manager@posvenda.test');
    expect(audit.text).toContain('Senha redefinida');
    expect(audit.text).not.toContain(fresh);
    const byUser = await m.get('/console/audit?user=sac%40posvenda');
    expect(byUser.text).toContain('Caso aberto pelo SAC');
    const actors = [...byUser.text.matchAll(/<td data-label="Quem">([^<]+)/g)].map((x) => x[1]);
    expect(actors.length).toBeGreaterThan(0);
    for (const actor of actors) expect(actor).toContain('sac@posvenda.test');
    const today = localDate(new Date()); // the filter's days are Brasília's
    expect((await m.get(`/console/audit?from=${today}&to=${today}&action=login.ok`)).text).toContain('Entrou');
    expect((await m.get('/console/audit?from=2000-01-01&to=2000-01-02')).text).toContain('0 registro(s)');
    // Not a calendar date: no filter, not an error.
    expect((await m.get('/console/audit?from=2026-02-30&action=login.ok')).text).toContain('Entrou');
  });

  it('filters and searches the queue, with counts per status', async () => {
    const a = as.assistant!;
    const all = await a.get('/console/requests?status=all');
    const protocols = [...all.text.matchAll(/class="protocol" href="[^"]+">(AT-\d{6})</g)].map((m) => m[1]);
    expect(protocols.length).toBeGreaterThanOrEqual(3);
    const [first] = await t.handle.db.select().from(requests).where(eq(requests.invoiceNumber, '88003'));
    const find = async (qs: string) =>
      [
        ...(await a.get(`/console/requests?status=all&${qs}`)).text.matchAll(
          /class="protocol" href="[^"]+">(AT-\d{6})</g,
        ),
      ].map((m) => m[1]);
    expect(await find('q=88003')).toEqual([first!.protocol]);
    expect(await find('q=70003')).toEqual([first!.protocol]);
    expect(await find(`q=${first!.protocol.toLowerCase()}`)).toEqual([first!.protocol]);
    expect(await find('q=espaco%20decor')).toEqual([first!.protocol]);
    expect(await find('customer=L200')).toEqual([first!.protocol]);
    await t.handle.db.execute(sql`update requests set erp_order_number = 'ERP-555' where id = ${first!.id}`);
    expect(await find('q=ERP-555')).toEqual([first!.protocol]);
    expect(await find('warranty=out')).toEqual([]);
    expect((await find('reason=transporte')).length).toBeGreaterThan(0);
    expect(await find('q=nada-disso')).toEqual([]);
    const tabs = await a.get('/console/requests');
    expect(tabs.text).toMatch(/Assistência cobrada <b>1<\/b>/);
    expect(tabs.text).toMatch(/Aceita \(garantia\) <b>1<\/b>/);
  });
});
