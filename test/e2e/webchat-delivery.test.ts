import { eq } from 'drizzle-orm';
import { conversations, messages, requestEvents } from '../../src/db/schema';
import { photo, startTestApp, type TestApp } from '../support/app';
import { dbKinds } from '../support/db';

/** Inbox dedup and per-address ordering (ARCHITECTURE: path of one message). */
describe.each(dbKinds())('web chat delivery guarantees on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
  }, 90_000);
  afterAll(() => t?.close());

  async function countFor(address: string) {
    const rows = await t.handle.db.select().from(messages).where(eq(messages.address, address));
    return {
      inbound: rows.filter((r) => r.direction === 'in').length,
      outbound: rows.filter((r) => r.direction === 'out').length,
      conversations: new Set(rows.map((r) => r.conversationId)).size,
    };
  }

  it('processes the same message id once, sequentially and concurrently', async () => {
    const from = '+5554999112233';
    const first = await t.say(from, 'oi', { id: 'dup-1' });
    for (let i = 0; i < 10; i++) expect(await t.say(from, 'oi', { id: 'dup-1' })).toEqual(first);
    const concurrent = await Promise.all(Array.from({ length: 10 }, () => t.say(from, 'nf 88001', { id: 'dup-2' })));
    for (const r of concurrent) expect(r).toEqual(concurrent[0]);
    const c = await countFor(from);
    expect(c.inbound).toBe(2);
    expect(c.outbound).toBe(first.length + concurrent[0]!.length);
  });

  it('puts a photo and a text sent 50 ms apart in one conversation, in order', async () => {
    const from = '+5551988776655';
    const p = t.say(from, '', { photos: [await photo()], id: 'a' });
    await new Promise((r) => setTimeout(r, 50));
    const q = t.say(from, 'nota 88003 prateleira 520048 chegou quebrada', { id: 'b' });
    await Promise.all([p, q]);
    const c = await countFor(from);
    expect(c.conversations).toBe(1);
    const [conv] = await t.handle.db.select().from(conversations).where(eq(conversations.address, from));
    const state = conv!.state as { draft?: { photos: string[]; invoiceNumber?: string } };
    expect(state.draft?.photos).toHaveLength(1);
    expect(state.draft?.invoiceNumber).toBe('88003');
  });

  it('keeps ten photos sent within 250 ms, in order, in one conversation', async () => {
    const from = '+5511977665544';
    const photos = await Promise.all(Array.from({ length: 10 }, () => photo()));
    await Promise.all(
      photos.map((ph, i) =>
        new Promise((r) => setTimeout(r, i * 25)).then(() => t.say(from, '', { photos: [ph], id: `p${i}` })),
      ),
    );
    const rows = await t.handle.db.select().from(messages).where(eq(messages.address, from));
    const inbound = rows.filter((r) => r.direction === 'in').sort((a, b) => a.id - b.id);
    expect(inbound.map((r) => r.externalId)).toEqual(photos.map((_, i) => `p${i}`));
    expect(new Set(rows.map((r) => r.conversationId)).size).toBe(1);
    const [conv] = await t.handle.db.select().from(conversations).where(eq(conversations.address, from));
    expect((conv!.state as { draft: { photos: string[] } }).draft.photos).toHaveLength(10);
    expect(await t.handle.db.select().from(requestEvents)).toHaveLength(0);
  });

  it('survives a huge and a malformed message', async () => {
    const huge = 'porta quebrada '.repeat(6000);
    const r = await t.say('+5554999112233', huge, { id: 'huge' });
    expect(r.length).toBeGreaterThan(0);
    const bad = await t.http('POST', '/api/webchat/messages', {
      body: { from: '+5554999112233', text: 'x', attachments: [{ data: '%%%not-base64%%%' }] },
    });
    expect(bad.status).toBe(200);
    expect(bad.text).toMatch(/não é uma imagem/);
  });
});
