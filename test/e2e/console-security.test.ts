import { and, eq, sql } from 'drizzle-orm';
import { consoleSessions, customers, requestPhotos, requests, users } from '../../src/db/schema';
import { createUser, ROLES, type Role } from '../../src/services/auth';
import { photo, said, startTestApp, type TestApp } from '../support/app';
import { ConsoleAgent } from '../support/browser';
import { dbKinds } from '../support/db';

/*
 * The console's security at the HTTP level: route × role table, escaping of everything a
 * customer can type, CSRF, login brakes, private photos, sessions (flags, rotation, logout,
 * idle/absolute timeouts, disabled users).
 */
const XSS = '<script>alert(1)</script>';
const ATTR = '"onload="x';
const ESCAPED_XSS = '&lt;script&gt;alert(1)&lt;&#x2F;script&gt;';
const PASSWORD = 'senha-console-1';
const L100 = '(54) 99911-2233';
const L200 = '+55 51 98877-6655';

type Who = Role | 'anonymous';
const WHO: Who[] = [...ROLES, 'anonymous'];

/** Expected status per role; `rest` for roles not named. */
type Expect = Partial<Record<Who, number>> & { rest: number };

const READERS: Role[] = ['assistant', 'manager', 'sac', 'commercial', 'finance'];
const only = (roles: Role[], yes: number, no = 403): Expect => ({
  ...Object.fromEntries(roles.map((r) => [r, yes])),
  anonymous: 302,
  rest: no,
});

describe.each(dbKinds())('console security on %s', (kind) => {
  let t: TestApp;
  let clock = Date.now();
  const agents = new Map<Who, ConsoleAgent>();
  let submitted = '';
  let charged = '';
  let sha = '';

  beforeAll(async () => {
    t = await startTestApp(kind, {
      console: { now: () => new Date(clock), retryOutbox: async () => false },
    });
    for (const role of ROLES) {
      await createUser(t.handle.db, {
        email: `${role}@posvenda.test`,
        name: `Pessoa ${role}`,
        role,
        password: PASSWORD,
      });
    }
    // Customer-supplied text everywhere: display name, message text, attachment file name, customer name.
    const res = await t.http('POST', '/api/webchat/messages', {
      body: {
        from: L100,
        name: `${XSS}${ATTR}`,
        id: 'xss-1',
        text: `NF 88001 a porta basculante 410100 chegou amassada ${XSS} ${ATTR}`,
        attachments: [
          { filename: `${XSS}${ATTR}.jpg`, contentType: 'image/jpeg', data: (await photo()).toString('base64') },
        ],
      },
    });
    expect(res.status).toBe(200);
    let replies = await t.say(L100, 'sim');
    for (let i = 0; i < 2 && !/AT-\d{6}/.test(said(replies)); i++) replies = await t.say(L100, 'sim');
    submitted = /AT-\d{6}/.exec(said(replies))![0];
    await t.handle.db.execute(sql`update customers set name = ${`ARTE ${XSS} ${ATTR}`} where code = 'L100'`);
    await t.say(L200, 'nf 88003 a prateleira 520048 veio com furação errada, 1 un', { photos: [await photo()] });
    charged = /AT-\d{6}/.exec(said(await t.say(L200, 'sim')))![0];
    const dec = await t.api('POST', `/api/requests/${charged}/decision`, await t.token('assistant'), {
      decision: 'charge',
      message: 'Fora do prazo.',
    });
    expect(dec.status).toBe(200);
    // A Promob question (projects) and a request for a person (assistance), with the payloads.
    await t.say(L200, `Como atualizo a biblioteca de vocês no Promob? ${XSS} ${ATTR}`);
    await t.say('casaecia@gmail.com', `preciso falar com alguém da assistência ${XSS}`);
    const [p] = await t.handle.db
      .select({ sha: requestPhotos.sha256 })
      .from(requestPhotos)
      .innerJoin(requests, eq(requests.id, requestPhotos.requestId))
      .where(eq(requests.protocol, submitted));
    sha = p!.sha;
    agents.set('anonymous', new ConsoleAgent(t.base));
    for (const role of ROLES) {
      const a = new ConsoleAgent(t.base);
      expect((await a.login(`${role}@posvenda.test`, PASSWORD)).status).toBe(303);
      agents.set(role, a);
    }
  }, 120_000);
  afterAll(() => t?.close());

  const agent = (who: Who) => agents.get(who)!;

  // -------------------------------------------------------------- route × role
  const getTable = (): [string, Expect][] => [
    ['/console', { ...only(['assistant', 'manager', 'sac', 'commercial'], 200, 302) }],
    ['/console/requests', only(READERS, 200)],
    ['/console/requests?status=all&q=88001', only(READERS, 200)],
    [`/console/requests/${submitted}`, only(['assistant', 'manager', 'sac', 'commercial'], 200)],
    [`/console/requests/${charged}`, only(READERS, 200)],
    ['/console/sac/new', only(['sac', 'manager'], 200)],
    ['/console/sac/new?nf=88001', only(['sac', 'manager'], 200)],
    ['/console/sac/forward', only(['sac', 'manager'], 200)],
    ['/console/forwards', only(['assistant', 'manager', 'projects', 'training', 'finance'], 200)],
    ['/console/forwards?team=projects', only(['assistant', 'manager', 'projects'], 200)],
    ['/console/forwards?team=finance&status=all', only(['assistant', 'manager', 'finance'], 200)],
    ['/console/channels', only(['assistant', 'manager'], 200)],
    ['/console/users', only(['manager'], 200)],
    ['/console/audit', only(['manager'], 200)],
    [`/console/media/${sha}?variant=thumb`, { rest: 200, anonymous: 401 }],
    [`/console/media/${sha}`, { rest: 200, anonymous: 401 }],
    ['/console/login', { rest: 302, anonymous: 200 }],
  ];

  it('GET: every route × every role', async () => {
    const got: string[] = [];
    const want: string[] = [];
    for (const [url, exp] of getTable()) {
      for (const who of WHO) {
        const res = await agent(who).get(url);
        got.push(`${who} GET ${url} → ${res.status}`);
        want.push(`${who} GET ${url} → ${exp[who] ?? exp.rest}`);
      }
    }
    expect(got).toEqual(want);
  });

  // Targets that do not exist: an allowed role gets past the role check (404/400/409), a denied one 403.
  const postTable: [string, Record<string, string>, Expect][] = [
    ['/console/requests/AT-999999/decision/preview', { decision: 'accept' }, only(['assistant', 'manager'], 404)],
    ['/console/requests/AT-999999/decision', { decision: 'accept', confirm: '1' }, only(['assistant', 'manager'], 404)],
    ['/console/requests/AT-999999/items', { qty_1: '2' }, only(['assistant', 'manager'], 404)],
    ['/console/requests/AT-999999/reason', { category: 'industria' }, only(['assistant', 'manager'], 404)],
    ['/console/requests/AT-999999/invoice', { invoice: '88001' }, only(['assistant', 'manager'], 404)],
    ['/console/requests/AT-999999/notes', { note: 'x' }, only(['assistant', 'manager'], 404)],
    ['/console/sac/cases', { nf: '88001' }, only(['sac', 'manager'], 400)],
    ['/console/sac/forward', { conversation: 'nope', note: 'x' }, only(['sac', 'manager'], 400)],
    [
      '/console/forwards/999999/answer',
      { text: 'oi' },
      only(['assistant', 'manager', 'projects', 'training', 'finance'], 404),
    ],
    ['/console/outbox/999999/retry', {}, only(['assistant', 'manager'], 409)],
    ['/console/users', { name: 'X', email: 'x@x.com', role: 'nobody' }, only(['manager'], 400)],
    ['/console/users/999999/disable', {}, only(['manager'], 404)],
    ['/console/users/999999/enable', {}, only(['manager'], 404)],
    ['/console/users/999999/password', {}, only(['manager'], 404)],
  ];

  it('POST: every route × every role (with a valid CSRF token)', async () => {
    const got: string[] = [];
    const want: string[] = [];
    for (const [url, form, exp] of postTable) {
      for (const who of WHO) {
        const res = await agent(who).post(url, form);
        got.push(`${who} POST ${url} → ${res.status}`);
        want.push(`${who} POST ${url} → ${exp[who] ?? exp.rest}`);
      }
    }
    expect(got).toEqual(want);
  });

  it('answers a forward only for the teams a role may answer', async () => {
    const forwards = await t.handle.db.execute(sql`select id, team from forwards order by id`);
    const rows = (Array.isArray(forwards) ? forwards : (forwards as { rows: unknown[] }).rows) as {
      id: number;
      team: string;
    }[];
    // The Promob question went to projects or training (both are right); the other team may not answer it.
    const promob = rows.find((r) => r.team === 'projects' || r.team === 'training')!;
    const otherTeam: Role = promob.team === 'projects' ? 'training' : 'projects';
    expect((await agent(otherTeam).post(`/console/forwards/${promob.id}/answer`, { text: 'oi' })).status).toBe(403);
    expect((await agent('assistant').post(`/console/forwards/${promob.id}/answer`, { text: 'oi' })).status).toBe(403);
    expect((await agent('finance').get(`/console/forwards?team=${promob.team}`)).status).toBe(403);
    expect((await agent(otherTeam).get(`/console/forwards?team=${promob.team}`)).status).toBe(403);
  });

  it('logs and audits denied accesses', async () => {
    await agent('commercial').get('/console/users');
    const page = await agent('manager').get('/console/audit?action=access.denied');
    expect(page.status).toBe(200);
    expect(page.text).toContain('commercial@posvenda.test');
    expect(page.text).toContain('GET &#x2F;console&#x2F;users');
  });

  // -------------------------------------------------------------- escaping
  function expectEscaped(label: string, html: string, mustShow = true) {
    expect([label, html.includes(XSS)]).toEqual([label, false]);
    expect([label, html.includes(ATTR)]).toEqual([label, false]);
    expect([label, html.includes('onload=')]).toEqual([label, false]);
    // Only our two scripts: htmx and console.js.
    expect([label, (html.match(/<script/g) ?? []).length]).toEqual([label, 2]);
    if (mustShow) expect([label, html.includes(ESCAPED_XSS)]).toEqual([label, true]);
  }

  it('shows customer text, names and file names escaped on every page', async () => {
    const m = agent('manager');
    const pages: [string, string][] = [
      ['queue', '/console/requests?status=all'],
      ['queue search', `/console/requests?status=all&q=${encodeURIComponent(XSS)}`],
      ['request page (customer, transcript, file names)', `/console/requests/${submitted}`],
      ['forwards', '/console/forwards?status=all'],
      ['sac forward search', `/console/sac/forward?q=${encodeURIComponent('99911')}`],
    ];
    for (const [label, url] of pages) {
      const res = await m.get(url);
      expect([label, res.status]).toEqual([label, 200]);
      expectEscaped(label, res.text);
    }
    const request = await m.get(`/console/requests/${submitted}`);
    expect(request.text).toContain(`${ESCAPED_XSS}&quot;onload&#x3D;&quot;x.jpg`);

    // A login attempt with the payload as e-mail: the login page and the audit page show it escaped.
    const anon = new ConsoleAgent(t.base);
    await anon.get('/console/login');
    const failed = await anon.post('/console/login', { email: `${XSS}${ATTR}@x.com`, password: 'x' });
    expect(failed.status).toBe(401);
    expectEscaped('login page', failed.text);
    expectEscaped('audit', (await m.get('/console/audit?action=login.failed')).text);

    // A user created with the payload as name: the users page shows it escaped.
    await m.get('/console/users');
    const created = await m.post('/console/users', {
      name: `${XSS}${ATTR}`,
      email: 'xss-user@posvenda.test',
      role: 'commercial',
    });
    expect(created.status).toBe(200);
    expectEscaped('users', created.text);

    // SAC upload: the file name is the customer's; shown escaped on the request page.
    const sac = agent('sac');
    const formPage = await sac.get('/console/sac/new?nf=88001');
    const productId = /name="qty_(\d+)"/.exec(formPage.text)![1]!;
    const form = new FormData();
    form.append('_csrf', sac.csrf);
    form.append('nf', '88001');
    form.append('contact', L100);
    form.append(`qty_${productId}`, '1');
    form.append('reason', 'industria');
    form.append('description', `cliente ligou: ${XSS} ${ATTR}`);
    form.append('photos', new Blob([new Uint8Array(await photo())], { type: 'image/jpeg' }), `${XSS}${ATTR}.jpg`);
    const opened = await sac.request('POST', '/console/sac/cases', { body: form });
    expect(opened.status).toBe(303);
    const sacPage = await sac.get(opened.location!);
    expect(sacPage.status).toBe(200);
    expectEscaped('SAC request page', sacPage.text);
    expect(sacPage.text).toContain('origem SAC');
  });

  // -------------------------------------------------------------- CSRF
  it('refuses form posts without the CSRF token, or with another session’s', async () => {
    const a = agent('assistant');
    const other = agent('manager').csrf;
    for (const [url, form] of [
      [`/console/requests/${submitted}/notes`, { note: 'sem token' }],
      [`/console/requests/${submitted}/decision`, { decision: 'accept', confirm: '1' }],
      ['/console/logout', {}],
    ] as [string, Record<string, string>][]) {
      expect([url, (await a.post(url, form, { csrf: false })).status]).toEqual([url, 403]);
      expect([url, (await a.post(url, { ...form, _csrf: other })).status]).toEqual([url, 403]);
    }
    expect(
      (await agent('manager').post('/console/users', { name: 'a', email: 'a@a.com', role: 'sac' }, { csrf: false }))
        .status,
    ).toBe(403);
    // Multipart: the token is checked before anything is stored.
    const form = new FormData();
    form.append('nf', '88001');
    form.append('photos', new Blob([new Uint8Array(await photo())], { type: 'image/jpeg' }), 'a.jpg');
    expect((await agent('sac').request('POST', '/console/sac/cases', { body: form })).status).toBe(403);
    // Nothing happened: the request is still submitted, without that note.
    const page = await a.get(`/console/requests/${submitted}`);
    expect(page.text).not.toContain('sem token');
    expect(page.text).toContain('Em análise');
    // The login form has its own token (cookie + field).
    const anon = new ConsoleAgent(t.base);
    const res = await anon.post(
      '/console/login',
      { email: 'assistant@posvenda.test', password: PASSWORD },
      { csrf: false },
    );
    expect(res.status).toBe(403);
  });

  // -------------------------------------------------------------- photos
  it('serves photos only with a session, with safe headers', async () => {
    const anon = await fetch(`${t.base}/console/media/${sha}?variant=thumb`);
    expect(anon.status).toBe(401);
    expect(await anon.text()).not.toMatch(/\xff\xd8/);
    const res = await agent('commercial').get(`/console/media/${sha}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-disposition')).toMatch(/^inline; filename="[0-9a-f]{12}\.jpg"$/);
    const thumb = await agent('projects').get(`/console/media/${sha}?variant=thumb`);
    expect(thumb.headers.get('content-type')).toBe('image/jpeg');
    expect((await agent('manager').get('/console/media/..%2F..%2Fetc%2Fpasswd')).status).toBe(404);
    expect((await agent('manager').get(`/console/media/${'a'.repeat(64)}`)).status).toBe(404);
  });

  // -------------------------------------------------------------- sessions
  it('sets the session cookie HttpOnly, SameSite=Lax, Path=/console; new id at every login', async () => {
    const a = new ConsoleAgent(t.base);
    await a.get('/console/login');
    const res = await a.post('/console/login', { email: 'sac@posvenda.test', password: PASSWORD });
    expect(res.status).toBe(303);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('pv_session='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Path=\/console/);
    expect(cookie).not.toMatch(/Secure/i);
    const first = a.cookies.get('pv_session')!;
    // Logging in again from the same browser (a fresh login form): a new id, the old session ends.
    const form = new ConsoleAgent(t.base);
    await form.get('/console/login');
    a.cookies.set('pv_login', form.cookies.get('pv_login')!);
    const again = await a.post('/console/login', { email: 'sac@posvenda.test', password: PASSWORD, _csrf: form.csrf });
    expect(again.status).toBe(303);
    const second = a.cookies.get('pv_session')!;
    expect(second).not.toBe(first);
    // The old id no longer works.
    const old = new ConsoleAgent(t.base);
    old.cookies.set('pv_session', first);
    expect((await old.get('/console/requests')).status).toBe(302);
    expect((await a.get('/console/requests')).status).toBe(200);
  });

  it('adds Secure to the cookie when configured (HTTPS)', async () => {
    const secure = await startTestApp(kind, { console: { secureCookies: true } });
    try {
      await createUser(secure.handle.db, { email: 'm@x.com', name: 'M', role: 'manager', password: PASSWORD });
      const a = new ConsoleAgent(secure.base);
      const res = await a.login('m@x.com', PASSWORD);
      expect(res.headers.getSetCookie().find((c) => c.startsWith('pv_session='))).toMatch(/; Secure/i);
    } finally {
      await secure.close();
    }
  });

  it('logout ends the session', async () => {
    const a = new ConsoleAgent(t.base);
    await a.login('commercial@posvenda.test', PASSWORD);
    const token = a.cookies.get('pv_session')!;
    const out = await a.post('/console/logout');
    expect(out.status).toBe(303);
    const replay = new ConsoleAgent(t.base);
    replay.cookies.set('pv_session', token);
    expect((await replay.get('/console/requests')).status).toBe(302);
  });

  it('a disabled user’s sessions stop working at once, and the user cannot log in', async () => {
    const victim = new ConsoleAgent(t.base);
    expect((await victim.login('training@posvenda.test', PASSWORD)).status).toBe(303);
    expect((await victim.get('/console/forwards')).status).toBe(200);
    const [u] = await t.handle.db.select().from(users).where(eq(users.email, 'training@posvenda.test'));
    const m = agent('manager');
    await m.get('/console/users');
    expect((await m.post(`/console/users/${u!.id}/disable`)).status).toBe(303);
    expect((await victim.get('/console/forwards')).status).toBe(302);
    expect((await agent('training').get('/console/forwards')).status).toBe(302);
    const open = await t.handle.db
      .select()
      .from(consoleSessions)
      .where(and(eq(consoleSessions.userId, u!.id), sql`${consoleSessions.endedAt} is null`));
    expect(open).toHaveLength(0);
    const again = new ConsoleAgent(t.base);
    expect((await again.login('training@posvenda.test', PASSWORD)).status).toBe(401);
  });

  // -------------------------------------------------------------- login brakes (move the clock: run last)
  it('blocks 20 wrong passwords in a minute (429), also the right one, then lets go', async () => {
    clock += 61_000; // a minute after the logins above
    const a = new ConsoleAgent(t.base);
    await a.get('/console/login');
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) {
      statuses.push(
        (await a.post('/console/login', { email: 'finance@posvenda.test', password: `errada-${i}` })).status,
      );
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5)).toEqual(Array(15).fill(429));
    const blocked = await a.post('/console/login', { email: 'finance@posvenda.test', password: PASSWORD });
    expect(blocked.status).toBe(429);
    expect(blocked.text).toMatch(/Muitas tentativas de login/);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    clock += 61_000;
    expect((await a.post('/console/login', { email: 'finance@posvenda.test', password: PASSWORD })).status).toBe(303);
  });

  it('blocks an account after 20 failures within 15 minutes, whatever the pace', async () => {
    clock += 61_000;
    const a = new ConsoleAgent(t.base);
    await a.get('/console/login');
    for (let burst = 0; burst < 4; burst++) {
      for (let i = 0; i < 5; i++) {
        expect((await a.post('/console/login', { email: 'sac@posvenda.test', password: 'errada' })).status).toBe(401);
      }
      clock += 61_000;
    }
    const res = await a.post('/console/login', { email: 'sac@posvenda.test', password: PASSWORD });
    expect(res.status).toBe(429);
    expect(res.text).toMatch(/Muitas senhas erradas/);
  });

  it('ends a session after 2 h idle and after 12 h in any case', async () => {
    const idle = new ConsoleAgent(t.base);
    await idle.login('assistant@posvenda.test', PASSWORD);
    clock += 2 * 3600_000 + 60_000;
    expect((await idle.get('/console/requests')).status).toBe(302);

    const busy = new ConsoleAgent(t.base);
    await busy.login('manager@posvenda.test', PASSWORD);
    for (let h = 0; h < 12; h++) {
      clock += 3600_000;
      expect([h, (await busy.get('/console/requests')).status]).toEqual([h, 200]);
    }
    clock += 3600_000;
    expect((await busy.get('/console/requests')).status).toBe(302);
    const reasons = await t.handle.db
      .select({ reason: consoleSessions.endReason })
      .from(consoleSessions)
      .where(sql`${consoleSessions.endReason} in ('idle', 'expired')`);
    expect(new Set(reasons.map((r) => r.reason))).toEqual(new Set(['idle', 'expired']));
    // The customer data changed nowhere along the way.
    const [c] = await t.handle.db.select().from(customers).where(eq(customers.code, 'L100'));
    expect(c!.name).toContain(XSS);
  });
});
