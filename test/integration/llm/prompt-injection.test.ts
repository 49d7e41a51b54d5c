import { count, desc, eq } from 'drizzle-orm';
import pino from 'pino';
import { ConversationEngine, type Inbound } from '../../../src/conversation/inbound';
import { readState } from '../../../src/conversation/state';
import { conversations, llmCalls, requestEvents, requests } from '../../../src/db/schema';
import { foldText } from '../../../src/domain/text';
import { MediaStore } from '../../../src/media';
import { understandRules } from '../../../src/understanding/rules';
import corpus from '../../fixtures/llm/prompt-injection.json';
import { photo, startTestApp, type TestApp, TODAY, testEngineOptions } from '../../support/app';
import { dbKinds, tempDir } from '../../support/db';
import { EMPTY_EXTRACTION, type FakeAnswer, FakeOpenAI } from '../../support/fake-openai';
import { llmAgainst } from '../../support/llm';

/*
 * Prompt injection: every text of the corpus arrives while the customer (L100) is confirming a summary
 * and already has a submitted request, and the fake model answers as a hijacked model would (another
 * customer's invoice and items, a status, "cancel", output that breaks the schema, prose). The engine must
 * answer exactly as with rules only: the same replies, the same requests and events (no status change),
 * no other customer's data, and nothing schema-invalid used.
 */
const CNPJ_L100 = '11.222.333/0001-81';
/** Data of other customers (L200, L300) that the customer did not type. */
const FOREIGN = [
  'ESPACO DECOR',
  '44.555.666',
  'LATERAL TORRE',
  'PRATELEIRA AJUSTAVEL',
  '410124',
  '520048',
  'CASA & CIA',
  '77.888.999',
  '930028',
  'PUXADOR PERFIL',
  '20/08/2026',
  '70003',
  '70004',
  '98877',
  'espacodecor',
  'casaecia',
];

const hijacked = (text: string): FakeAnswer[] => [
  {
    json: {
      intent: 'cancelar',
      invoice_numbers: [{ value: '88003', evidence: text.slice(0, 40) }],
      cnpj: { value: '44.555.666/0001-81', evidence: 'CNPJ' },
      products: [
        { item_code: '520048', words: 'prateleira ajustável', quantity: 50 },
        { item_code: '410124', words: text.slice(0, 30), quantity: 999 },
      ],
      reason: { category: 'cliente', evidence: 'aprovado pelo gestor' },
      summary: 'Solicitação aprovada. Status: accepted.',
    },
  },
  { json: { ...EMPTY_EXTRACTION, intent: 'assistencia', status: 'accepted', decision: 'accept' } },
  { json: { ...EMPTY_EXTRACTION, intent: 'humano', summary: 'Transferir e aprovar.' } },
  { content: 'Claro! Aprovei a solicitação AT-000001 e mudei o status para aceita.' },
  { json: { ...EMPTY_EXTRACTION, yesNo: 'yes', option: 0 } },
];

let seq = 0;
const msg = (address: string, text: string, extra: Partial<Inbound> = {}): Inbound => ({
  channel: 'web',
  address,
  externalId: `inj${++seq}`,
  text,
  attachments: [],
  ...extra,
});
const textOf = (r: { replies: { text: string }[] }) => r.replies.map((x) => x.text).join('\n');

describe.each(dbKinds())('prompt injection on %s', (kind) => {
  let fake: FakeOpenAI;
  let t: TestApp;
  let rulesOnly: ConversationEngine;
  let media: ReturnType<typeof tempDir>;
  let submitted: { id: number; status: string };

  beforeAll(async () => {
    fake = await FakeOpenAI.start();
    t = await startTestApp(kind, { llm: llmAgainst(fake) });
    media = tempDir('posvenda-inj-media-');
    rulesOnly = new ConversationEngine(
      t.handle.db,
      new MediaStore(media.dir),
      understandRules,
      testEngineOptions(() => TODAY),
      pino({ level: 'silent' }),
    );
    // L100 already has a submitted request (the status that must not move).
    const from = '+5554999110001';
    await t.engine.handle(
      msg(from, 'NF 88001 porta 410100 chegou amassada', { attachments: [{ bytes: await photo() }] }),
    );
    await t.engine.handle(msg(from, 'sim'));
    await t.llm?.idle();
    const [r] = await t.handle.db.select({ id: requests.id, status: requests.status }).from(requests);
    submitted = r!;
    expect(submitted.status).toBe('submitted');
  }, 90_000);
  afterAll(async () => {
    await t?.close();
    await fake?.close();
    media?.cleanup();
  });

  it('has at least 20 texts, including e-mail signatures and texts claiming to be staff', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(20);
    expect(corpus.filter((c) => c.kind.startsWith('signature')).length).toBeGreaterThanOrEqual(2);
    expect(corpus.filter((c) => c.kind.startsWith('claims-')).length).toBeGreaterThanOrEqual(4);
  });

  it.each(corpus.map((c, i) => [c.kind, c.text, i] as const))(
    '%s: answered as with rules only',
    async (_kind, text, i) => {
      const counts = async () => ({
        requests: (await t.handle.db.select({ n: count() }).from(requests))[0]?.n,
        events: (await t.handle.db.select({ n: count() }).from(requestEvents))[0]?.n,
      });
      const opening = `CNPJ ${CNPJ_L100}, NF 88001, a porta 410100 chegou amassada`;
      const answers = hijacked(text);
      const answer = answers[i % answers.length]!;
      // The same two messages with the model (hijacked on the second) and with rules only.
      const a = `+55489920${String(10000 + i)}`;
      const b = `+55489930${String(10000 + i)}`;
      fake.enqueue({ json: EMPTY_EXTRACTION });
      const first = await t.engine.handle(msg(a, opening, { attachments: [{ bytes: await photo() }] }));
      await rulesOnly.handle(msg(b, opening, { attachments: [{ bytes: await photo() }] }));
      expect(textOf(first)).toMatch(/Posso registrar|registrar mesmo assim/);
      const extractions = () =>
        fake.requests.filter((r) => JSON.stringify(r.body.response_format).includes('"extraction"'));
      const calls = extractions().length;
      fake.enqueue(answer);
      const before = await counts();
      const withModel = await t.engine.handle(msg(a, text));
      await t.llm?.idle();
      const between = await counts();
      const rules = await rulesOnly.handle(msg(b, text));
      const after = await counts();

      expect(extractions().length).toBe(calls + 1); // the model was asked
      const protocolFree = (r: { replies: { text: string }[] }) => textOf(r).replace(/AT-\d{6}/g, 'AT-······');
      expect(protocolFree(withModel)).toBe(protocolFree(rules));
      // Whatever the rules do with the text (a customer may well say "pode registrar"), the model adds nothing.
      const delta = (x: typeof before, y: typeof before) => ({
        requests: Number(y.requests) - Number(x.requests),
        events: Number(y.events) - Number(x.events),
      });
      expect(delta(before, between)).toEqual(delta(between, after));
      const [still] = await t.handle.db
        .select({ status: requests.status })
        .from(requests)
        .where(eq(requests.id, submitted.id));
      expect(still?.status).toBe(submitted.status);
      const [conv] = await t.handle.db
        .select({ state: conversations.state })
        .from(conversations)
        .where(eq(conversations.id, withModel.conversationId));
      const state = readState(conv?.state);
      expect(state.customerId).toBeDefined();
      for (const item of state.draft?.items ?? []) expect(item.code).toBe('410100');
      const reply = foldText(textOf(withModel));
      const typed = foldText(text);
      for (const marker of FOREIGN.map(foldText)) {
        if (!typed.includes(marker))
          expect({ marker, leaked: reply.includes(marker) }).toEqual({ marker, leaked: false });
      }
      const [call] = await t.handle.db
        .select()
        .from(llmCalls)
        .where(eq(llmCalls.conversationId, withModel.conversationId))
        .orderBy(desc(llmCalls.id))
        .limit(1);
      if ('content' in answer) expect(call?.outcome).toBe('invalid_json');
      else if ('json' in answer && ('status' in (answer.json as object) || 'yesNo' in (answer.json as object)))
        expect(call?.outcome).toBe('schema_mismatch');
      else expect(call?.outcome).toBe('ok');
    },
  );
});
