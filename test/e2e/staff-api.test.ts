import { createToken, revokeToken } from '../../src/services/auth';
import { startTestApp, type TestApp } from '../support/app';
import { dbKinds } from '../support/db';

/** Bearer auth and roles exactly as CONTRACT §4 says: none/wrong/revoked → 401, wrong role → 403. */
describe.each(dbKinds())('staff API on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
  }, 90_000);
  afterAll(() => t?.close());

  const reads = [
    '/api/requests',
    '/api/requests?status=submitted&q=88001',
    '/api/forwards',
    '/api/forwards?team=finance',
    '/api/customers/L100',
    '/api/invoices/88001',
  ];

  it('401 without a token, with a wrong one, and with a revoked one', async () => {
    for (const url of reads) {
      expect((await t.api('GET', url, '')).status).toBe(401);
      expect((await t.api('GET', url, 'pv_wrong')).status).toBe(401);
    }
    const { token: tok } = await createToken(t.handle.db, 'sac', 'to revoke');
    expect((await t.api('GET', '/api/requests', tok)).status).toBe(200);
    expect(await revokeToken(t.handle.db, tok)).toBe(1);
    const res = await t.api<{ error: string }>('GET', '/api/requests', tok);
    expect(res.status).toBe(401);
    expect(res.json.error).toMatch(/token/);
  });

  const table: [string, number, number][] = [
    // role, decision status (on an unknown protocol: 404 when allowed), forward answer status (404 when allowed)
    ['commercial', 403, 403],
    ['sac', 403, 404],
    ['projects', 403, 404],
    ['training', 403, 404],
    ['finance', 403, 404],
    ['assistant', 404, 404],
    ['manager', 404, 404],
  ];
  it.each(table)('role %s: reads 200, decision %i, forward answer %i', async (role, decision, answer) => {
    const tok = await t.token(role as 'commercial');
    for (const url of reads) expect([url, (await t.api('GET', url, tok)).status]).toEqual([url, 200]);
    const d = await t.api('POST', '/api/requests/AT-999999/decision', tok, { decision: 'accept' });
    expect(d.status).toBe(decision);
    const a = await t.api('POST', '/api/forwards/999999/answer', tok, { text: 'oi' });
    expect(a.status).toBe(answer);
  });

  it('gives the invoice with per-item warranty', async () => {
    const res = await t.api<{
      items: { productCode: string; warrantyUntil: string; inWarranty: boolean; weightKg: number }[];
    }>('GET', '/api/invoices/00088002', await t.token('commercial'));
    expect(res.status).toBe(200);
    expect(res.json.items).toEqual([
      expect.objectContaining({ productCode: '520031', warrantyUntil: '2025-03-15', inWarranty: false, weightKg: 32 }),
    ]);
  });

  it('answers JSON errors, never stack traces', async () => {
    const tok = await t.token('manager');
    const bad = await t.api<{ error: string }>('POST', '/api/requests/AT-000001/decision', tok, {
      decision: 'approve-all',
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatch(/decision/);
    const missing = await t.api<{ error: string }>('GET', '/api/customers/NOPE', tok);
    expect(missing.status).toBe(404);
    const chat = await t.http('POST', '/api/webchat/messages', { body: '{"from":' });
    expect(chat.status).toBe(400);
    expect(chat.json).toHaveProperty('error');
    expect(chat.text).not.toMatch(/at .*\.ts/);
    const badFrom = await t.http('POST', '/api/webchat/messages', { body: { from: 'nobody', text: 'oi' } });
    expect(badFrom.status).toBe(400);
    expect((await t.http('GET', '/nowhere')).json).toEqual({ error: 'not found' });
  });

  it('requires a message to return, charge or reject', async () => {
    const tok = await t.token('assistant');
    const r = await t.api<{ error: string }>('POST', '/api/requests/AT-000001/decision', tok, { decision: 'return' });
    expect(r.status).toBe(400);
    expect(r.json.error).toMatch(/message/);
  });

  it('keeps photos private', async () => {
    const sha = 'a'.repeat(64);
    expect((await t.http('GET', `/media/${sha}`)).status).toBe(401);
    expect((await t.api('GET', `/media/${sha}`, await t.token('commercial'))).status).toBe(404);
    expect((await t.api('GET', '/media/..%2F..%2Fetc%2Fpasswd', await t.token('commercial'))).status).toBe(404);
  });
});
