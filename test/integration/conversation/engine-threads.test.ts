import { eq } from 'drizzle-orm';
import pino from 'pino';
import { parseConfig } from '../../../src/config';
import { EngineThreads, slotOf, startEngineThreads } from '../../../src/conversation/engine-threads';
import type { DbHandle } from '../../../src/db/client';
import { conversations, media, messages, requestPhotos, requests } from '../../../src/db/schema';
import { importFixtures, photo, TODAY } from '../../support/app';
import { freshPostgres, openTestDb, tempDir } from '../../support/db';

/**
 * ENGINE_THREADS: the engine on worker threads, each with its own pool, fed by the main thread. Same answers
 * as the main thread's engine, per-address order and dedup kept, photos intact across the thread hop, channel
 * deliveries handed back to the main thread, a dead thread replaced.
 */
const maybe = process.env.DATABASE_URL ? describe : describe.skip;

maybe('conversation engine on worker threads (PostgreSQL)', () => {
  let h: DbHandle & { url: string };
  let threads: EngineThreads;
  const outbox: number[][] = [];
  const data = tempDir('posvenda-threads-');
  beforeAll(async () => {
    h = await freshPostgres();
    await importFixtures(h);
    const cfg = parseConfig({ DATABASE_URL: h.url, DATA_DIR: data.dir, TODAY, LOG_LEVEL: 'silent' });
    threads = await EngineThreads.start(cfg, 2, pino({ level: 'silent' }), (ids) => outbox.push(ids));
  }, 90_000);
  afterAll(async () => {
    await threads?.close();
    await h?.close();
    data.cleanup();
  });

  const say = (address: string, externalId: string, text: string, photos: Buffer[] = [], channel = 'web' as const) =>
    threads.handle({ channel, address, externalId, text, attachments: photos.map((bytes) => ({ bytes })) });

  it('runs a whole intake: photo checked and stored, request created, answers as on the main thread', async () => {
    const from = '+5554999112233';
    const r1 = await say(from, 't-1', 'NF 88001 a porta basculante 410100 chegou amassada. 2 portas', [await photo()]);
    const text = r1.replies.map((r) => r.text).join('\n');
    expect(text).toMatch(/88001/);
    expect(text).toMatch(/410100.*qtd: 2/);
    expect(text).not.toMatch(/não consegui abrir|não é uma imagem/i);
    const r2 = await say(from, 't-2', 'sim');
    const protocol = /AT-\d{6}/.exec(r2.replies.map((r) => r.text).join('\n'))?.[0];
    expect(protocol).toBeDefined();
    const [req] = await h.db.select().from(requests).where(eq(requests.protocol, protocol!));
    expect(req).toMatchObject({ invoiceNumber: '88001', status: 'submitted' });
    const photos = await h.db.select().from(requestPhotos).where(eq(requestPhotos.requestId, req!.id));
    expect(photos).toHaveLength(1);
    const [stored] = await h.db.select().from(media).where(eq(media.sha256, photos[0]!.sha256));
    expect(stored).toMatchObject({ contentType: 'image/jpeg' });
  });

  it('keeps ten photos sent at once by one contact in one conversation, in order', async () => {
    const from = '+5554999110001';
    const photos = await Promise.all(Array.from({ length: 10 }, () => photo()));
    await Promise.all(photos.map((p, i) => say(from, `p-${i}`, '', [p])));
    const rows = await h.db.select().from(messages).where(eq(messages.address, from));
    const inbound = rows.filter((r) => r.direction === 'in').sort((a, b) => a.id - b.id);
    expect(inbound.map((r) => r.externalId)).toEqual(photos.map((_, i) => `p-${i}`));
    expect(new Set(rows.map((r) => r.conversationId)).size).toBe(1);
    const [conv] = await h.db.select().from(conversations).where(eq(conversations.address, from));
    expect((conv!.state as { draft: { photos: string[] } }).draft.photos).toHaveLength(10);
  });

  it('processes the same delivery sent ten times at once only once', async () => {
    const from = '+5554999110002';
    const results = await Promise.all(Array.from({ length: 10 }, () => say(from, 'dup-1', 'oi')));
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    const inbound = (await h.db.select().from(messages).where(eq(messages.address, from))).filter(
      (r) => r.direction === 'in',
    );
    expect(inbound).toHaveLength(1);
    // Every copy answers with the one set of replies.
    for (const r of results) expect(r.replies).toEqual(results[0]!.replies);
  });

  it('spreads addresses over the threads and always sends one address to the same one', () => {
    const used = new Set(Array.from({ length: 50 }, (_, i) => slotOf(`web\u0000+55549990${i}`, 2)));
    expect(used).toEqual(new Set([0, 1]));
    expect(slotOf('web\u0000+5554999110001', 2)).toBe(slotOf('web\u0000+5554999110001', 2));
  });

  it('hands outbox rows of other channels back to the main thread for delivery', async () => {
    const before = outbox.length;
    const r = await say('telegram:777001', 'tg-1', 'oi', [], 'telegram' as 'web');
    expect(r.replies.length).toBeGreaterThan(0);
    await waitFor(() => outbox.length > before);
    const ids = outbox.slice(before).flat();
    expect(ids.length).toBe(r.replies.length);
  });

  it('replaces a thread that died: the address it served is answered again', async () => {
    const from = '+5554999110003';
    const slot = slotOf(`web\u0000${from}`, threads.size);
    const victim = (threads as unknown as { slots: { worker: { terminate(): Promise<number> } }[] }).slots[slot]!;
    await victim.worker.terminate();
    // While it starts again, its addresses fail at once instead of waiting on a dead thread.
    await expect(say(from, 'during-restart', 'oi')).rejects.toThrow(/starting again/);
    await waitFor(() => (threads as unknown as { slots: unknown[] }).slots[slot] !== victim);
    await waitFor(async () => {
      try {
        return (await say(from, 'after-restart', 'oi')).replies.length > 0;
      } catch {
        return false;
      }
    });
  });
});

describe('ENGINE_THREADS on the embedded database', () => {
  it('is ignored with a warning: PGlite is one connection in this process', async () => {
    const h = await openTestDb('pglite');
    const warnings: string[] = [];
    const log = pino({ level: 'warn' }, { write: (line: string) => warnings.push(line) });
    try {
      const cfg = parseConfig({ ENGINE_THREADS: '2', DATA_DIR: tempDir().dir, LOG_LEVEL: 'silent' });
      expect(await startEngineThreads(cfg, h, log, () => {})).toBeUndefined();
      expect(warnings.join('')).toMatch(/ENGINE_THREADS needs DATABASE_URL/);
    } finally {
      await h.close();
    }
  });
});

async function waitFor(check: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
