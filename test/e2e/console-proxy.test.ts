import { eq } from 'drizzle-orm';
import { consoleSessions, users } from '../../src/db/schema';
import { createUser } from '../../src/services/auth';
import { startTestApp, type TestApp } from '../support/app';
import { ConsoleAgent } from '../support/browser';

/*
 * Behind a reverse proxy every request comes from the proxy's address. With TRUST_PROXY the console
 * records (and rate-limits logins by) the client's address the proxy reports; without it, a forged
 * X-Forwarded-For from a client is ignored.
 */
const PASSWORD = 'senha-proxy-1';
const FORWARDED = { 'x-forwarded-for': '203.0.113.7' };

async function sessionIpAfterLogin(t: TestApp, email: string): Promise<string | null> {
  await createUser(t.handle.db, { email, name: 'Assistente', role: 'assistant', password: PASSWORD });
  const agent = new ConsoleAgent(t.base, FORWARDED);
  expect((await agent.login(email, PASSWORD)).status).toBe(303);
  const [u] = await t.handle.db.select({ id: users.id }).from(users).where(eq(users.email, email));
  const [s] = await t.handle.db
    .select({ ip: consoleSessions.ip })
    .from(consoleSessions)
    .where(eq(consoleSessions.userId, u!.id));
  return s?.ip ?? null;
}

describe('console behind a reverse proxy (TRUST_PROXY)', () => {
  let trusting: TestApp;
  let direct: TestApp;
  beforeAll(async () => {
    trusting = await startTestApp('pglite', { trustProxy: 'loopback' });
    direct = await startTestApp('pglite');
  }, 90_000);
  afterAll(async () => {
    await trusting?.close();
    await direct?.close();
  });

  it("records the client's address the trusted proxy reports", async () => {
    expect(await sessionIpAfterLogin(trusting, 'proxy@fabrica.test')).toBe('203.0.113.7');
  });

  it('ignores X-Forwarded-For when no proxy is trusted', async () => {
    expect(await sessionIpAfterLogin(direct, 'direct@fabrica.test')).toBe('127.0.0.1');
  });
});
