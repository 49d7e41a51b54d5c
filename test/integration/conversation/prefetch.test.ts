import net from 'node:net';
import pino from 'pino';
import { ConversationEngine, type Inbound } from '../../../src/conversation/inbound';
import { type DbHandle, openPostgres } from '../../../src/db/client';
import { MediaStore } from '../../../src/media';
import { understandRules } from '../../../src/understanding/rules';
import { importFixtures, photo, TODAY, testEngineOptions } from '../../support/app';
import { freshPostgres, tempDir } from '../../support/db';

/**
 * Lookups sent ahead with the lock statement (src/conversation/prefetch.ts), on PostgreSQL: one round trip less
 * where the guess is right, and the same answers where the engine's remembered state is stale (another process
 * handled the address meanwhile).
 */
const maybe = process.env.DATABASE_URL ? describe : describe.skip;

maybe('lookups sent ahead (PostgreSQL)', () => {
  let a: DbHandle & { url: string };
  let b: DbHandle;
  const media = tempDir('posvenda-media-');
  let one: ConversationEngine;
  let other: ConversationEngine;
  beforeAll(async () => {
    a = await freshPostgres();
    await importFixtures(a);
    b = await openPostgres(a.url);
    const store = new MediaStore(media.dir);
    const engine = (h: DbHandle) =>
      new ConversationEngine(
        h.db,
        store,
        understandRules,
        testEngineOptions(() => TODAY),
        pino({ level: 'silent' }),
      );
    one = engine(a);
    other = engine(b);
  }, 90_000);
  afterAll(async () => {
    await b?.close();
    await a?.close();
    media.cleanup();
  });

  let n = 0;
  const msg = (address: string, text: string, photos: Buffer[] = []): Inbound => ({
    channel: 'web',
    address,
    externalId: `m${++n}`,
    text,
    attachments: photos.map((bytes) => ({ bytes })),
  });
  const text = (r: { replies: { text: string }[] }) => r.replies.map((x) => x.text).join('\n');

  /** Socket writes to PostgreSQL (system calls) made while `fn` runs, and its result. */
  async function counted<T>(fn: () => Promise<T>): Promise<{ writes: number; result: T }> {
    const port = Number(new URL(a.url).port || 5432);
    type Raw = (this: net.Socket, ...x: unknown[]) => unknown;
    const proto = net.Socket.prototype as unknown as Record<'_write' | '_writev', Raw>;
    const originals = { _write: proto._write, _writev: proto._writev };
    let writes = 0;
    for (const m of ['_write', '_writev'] as const) {
      proto[m] = function (this: net.Socket, ...x: unknown[]) {
        if (this.remotePort === port) writes++;
        return originals[m].apply(this, x);
      };
    }
    try {
      const result = await fn();
      return { writes, result };
    } finally {
      Object.assign(proto, originals);
    }
  }

  it('answers a status question and a greeting in two writes: the lookup travels with the lock statement', async () => {
    const from = '+5554999112233';
    await one.handle(msg(from, 'NF 88001 a porta 410100 chegou amassada, 1 peça', [await photo()]));
    const submitted = await one.handle(msg(from, 'sim'));
    const protocol = /AT-\d{6}/.exec(text(submitted))?.[0];
    expect(protocol).toBeDefined();
    // Twice each: the first run of a statement on a connection prepares it (one round trip more, once).
    for (let i = 0; i < 2; i++) await one.handle(msg(from, 'alguma novidade da minha solicitação?'));
    const status = await counted(() => one.handle(msg(from, 'alguma novidade da minha solicitação?')));
    // The request submitted by the previous message is in the answer.
    expect(text(status.result)).toContain(protocol);
    expect(status.writes).toBe(2);
    for (let i = 0; i < 2; i++) await one.handle(msg(from, 'oi'));
    const hello = await counted(() => one.handle(msg(from, 'bom dia')));
    expect(text(hello.result)).toMatch(/Arte/i);
    expect(hello.writes).toBe(2);
  });

  it('gives the same answers when its remembered state is stale (another process took the messages between)', async () => {
    const from = '+5554999110004';
    // This engine remembers the conversation at the menu...
    await one.handle(msg(from, 'oi'));
    // ...another process takes a whole intake for the same address...
    await other.handle(msg(from, 'NF 88001 a porta 410100 chegou amassada, 1 peça', [await photo()]));
    const submitted = await other.handle(msg(from, 'sim'));
    const protocol = /AT-\d{6}/.exec(text(submitted))?.[0];
    expect(protocol).toBeDefined();
    // ...and this engine, guessing from its old state, still sees everything the other one committed.
    const status = await one.handle(msg(from, 'e a minha solicitação, alguma novidade?'));
    expect(text(status)).toContain(protocol);
    // A wrong guess (an invoice named while the flow reads something else) changes nothing either.
    const reply = await one.handle(msg(from, 'nf 99999 quero falar com alguém'));
    expect(reply.replies.length).toBeGreaterThan(0);
  });
});
