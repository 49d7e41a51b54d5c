import { eq } from 'drizzle-orm';
import pino from 'pino';
import { ConversationEngine } from '../../../src/conversation/inbound';
import { type DbHandle, openPostgres } from '../../../src/db/client';
import { conversations, messages } from '../../../src/db/schema';
import { MediaStore } from '../../../src/media';
import { understandRules } from '../../../src/understanding/rules';
import { importFixtures, photo, TODAY, testEngineOptions } from '../../support/app';
import { freshPostgres, tempDir } from '../../support/db';

/**
 * Two server processes on one PostgreSQL database: two engines, each with its own connection pool and its
 * own in-process mutex, so only the endpoint row lock keeps one address's messages in order. Every message
 * must see the state the previous one committed (a stale read would lose photos or open a second conversation).
 */
const maybe = process.env.DATABASE_URL ? describe : describe.skip;

maybe('two engines (processes) on one PostgreSQL database', () => {
  let a: DbHandle & { url: string };
  let b: DbHandle;
  const media = tempDir('posvenda-media-');
  const engines: ConversationEngine[] = [];
  beforeAll(async () => {
    a = await freshPostgres();
    await importFixtures(a);
    b = await openPostgres(a.url);
    const store = new MediaStore(media.dir);
    for (const h of [a, b]) {
      engines.push(
        new ConversationEngine(
          h.db,
          store,
          understandRules,
          testEngineOptions(() => TODAY),
          pino({ level: 'silent' }),
        ),
      );
    }
  }, 90_000);
  afterAll(async () => {
    await b?.close();
    await a?.close();
    media.cleanup();
  });

  it.each([1, 2, 3])(
    'keeps every photo of one address sent to both at once, in one conversation (round %i)',
    async (round) => {
      const from = `+55549991100${round}0`;
      const photos = await Promise.all(Array.from({ length: 12 }, () => photo()));
      await Promise.all(
        photos.map((bytes, i) =>
          engines[i % 2]!.handle({
            channel: 'web',
            address: from,
            externalId: `r${round}-p${i}`,
            text: '',
            attachments: [{ bytes }],
          }),
        ),
      );
      const rows = await a.db.select().from(messages).where(eq(messages.address, from));
      expect(rows.filter((r) => r.direction === 'in')).toHaveLength(12);
      expect(new Set(rows.map((r) => r.conversationId)).size).toBe(1);
      const convs = await a.db.select().from(conversations).where(eq(conversations.address, from));
      expect(convs).toHaveLength(1);
      expect((convs[0]!.state as { draft: { photos: string[] } }).draft.photos).toHaveLength(12);
    },
  );
});
