import crypto from 'node:crypto';
import pino from 'pino';
import {
  createTelegramAdapter,
  DEFAULT_CONTACT_BUTTON_TEXT,
  type TelegramAdapter,
  type TelegramAdapterOptions,
} from '../../../src/channels/telegram';
import { ChannelSendError, type HandleResult, type Inbound, type OutboundMessage } from '../../../src/channels/types';
import { FakeTelegram, type FakeUser } from '../../support/fake-telegram';

const log = pino({ level: 'silent' });
const MAX_BYTES = 64 * 1024;

/** A sink like the engine's: collects what it is given; can be told to fail the next calls. */
function fakeSink() {
  const got: Inbound[] = [];
  let failures = 0;
  let calls = 0;
  const sink = async (msg: Inbound): Promise<HandleResult> => {
    calls++;
    if (failures > 0) {
      failures--;
      throw new Error('database unavailable');
    }
    got.push(msg);
    return { conversationId: 'c', replies: [], duplicate: false };
  };
  return {
    sink,
    got,
    get calls() {
      return calls;
    },
    failNext(n: number) {
      failures = n;
    },
    /** The first inbound matching `pred` (waits for it). */
    async next(fake: FakeTelegram, pred: (m: Inbound) => boolean, timeoutMs = 5_000): Promise<Inbound> {
      return fake.waitFor(() => got.find(pred), timeoutMs, 'an inbound message');
    },
  };
}

/** Every adapter made here, so a failing test cannot leave one polling (Jest would never exit). */
const adapters: TelegramAdapter[] = [];
afterAll(async () => {
  await Promise.all(adapters.map((a) => a.stop()));
});

function adapterFor(fake: FakeTelegram, extra: Partial<TelegramAdapterOptions> = {}): TelegramAdapter {
  const adapter = createTelegramAdapter({
    token: fake.token,
    apiRoot: fake.apiRoot,
    log,
    maxAttachmentBytes: MAX_BYTES,
    fetchTimeoutMs: 2_000,
    albumWaitMs: 300,
    retry: { baseDelayMs: 50, maxDelayMs: 400 },
    ...extra,
  });
  adapters.push(adapter);
  return adapter;
}

function out(address: string, text: string, extra: Partial<OutboundMessage> = {}): OutboundMessage {
  return { outboxId: crypto.randomInt(1, 1e9), address, text, conversationId: 'c', ...extra };
}

async function sendError(p: Promise<unknown>): Promise<ChannelSendError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ChannelSendError) return e;
    throw e;
  }
  throw new Error('send succeeded');
}

const fromUser = (u: FakeUser) => (m: Inbound) => m.address === `telegram:${u.id}`;

describe('Telegram adapter (long polling against a fake Bot API)', () => {
  let fake: FakeTelegram;
  let adapter: TelegramAdapter;
  const s = fakeSink();

  beforeAll(async () => {
    fake = await FakeTelegram.start();
    adapter = adapterFor(fake);
    await adapter.start(s.sink);
    await fake.waitFor(() => adapter.status().state === 'up', 5_000, 'the adapter to be up');
  });

  afterAll(async () => {
    await adapter.stop();
    await fake.stop();
  });

  test('starts by deleting the webhook without dropping pending updates, then long-polls', async () => {
    await fake.waitFor(() => fake.polls > 0, 5_000, 'a poll');
    const del = fake.callsOf('deleteWebhook');
    expect(del.length).toBe(1);
    expect(del[0]?.params.drop_pending_updates).not.toBe(true);
    const poll = fake.callsOf('getUpdates')[0];
    expect(Number(poll?.params.timeout)).toBeGreaterThan(0);
    expect(poll?.params.allowed_updates).toEqual(expect.arrayContaining(['message', 'callback_query']));
    expect(adapter.status()).toMatchObject({ state: 'up' });
  });

  test('a text becomes an Inbound with address, externalId and display name', async () => {
    const ana = fake.addUser({ first_name: 'Ana', last_name: 'Souza' });
    const u = fake.sendText(ana, 'Olá, preciso de assistência');
    const m = await s.next(fake, fromUser(ana));
    const msgId = (u.update.message as { message_id: number }).message_id;
    expect(m).toEqual({
      channel: 'telegram',
      address: `telegram:${ana.id}`,
      externalId: `m${ana.id}:${msgId}`,
      text: 'Olá, preciso de assistência',
      displayName: 'Ana Souza',
      attachments: [],
    });
  });

  test('a photo: only the largest size is downloaded, bytes intact, caption as text', async () => {
    const bruno = fake.addUser({ first_name: 'Bruno' });
    const bytes = crypto.randomBytes(20_000);
    const p = fake.sendPhoto(bruno, bytes, { caption: 'a porta veio riscada', smallerSizes: 3 });
    const m = await s.next(fake, fromUser(bruno));
    expect(m.text).toBe('a porta veio riscada');
    expect(m.attachments).toHaveLength(1);
    expect(m.attachments[0]?.bytes.equals(bytes)).toBe(true);
    expect(m.refused).toBeUndefined();
    expect(p.largest.downloads).toBe(1);
    expect(p.smaller.every((f) => f.downloads === 0 && f.getFileCalls === 0)).toBe(true);
  });

  test('a photo above maxAttachmentBytes is refused by its reported size, without downloading', async () => {
    const u = fake.addUser();
    const p = fake.sendPhoto(u, crypto.randomBytes(1000), { reportedSize: MAX_BYTES + 1 });
    const m = await s.next(fake, fromUser(u));
    expect(m.attachments).toEqual([]);
    expect(m.refused).toEqual({ tooLarge: 1, notImage: 0 });
    expect(p.largest.getFileCalls).toBe(0);
    expect(p.largest.downloads).toBe(0);
  });

  test('a photo whose real size exceeds the limit (reported smaller) is refused while downloading', async () => {
    const u = fake.addUser();
    fake.sendPhoto(u, crypto.randomBytes(MAX_BYTES + 10), { reportedSize: 100 });
    const m = await s.next(fake, fromUser(u));
    expect(m.refused).toEqual({ tooLarge: 1, notImage: 0 });
    expect(m.attachments).toEqual([]);
  });

  test('an image document is downloaded with its name and type; a PDF is refused without download', async () => {
    const u = fake.addUser();
    const png = crypto.randomBytes(3000);
    fake.sendDocument(u, png, { fileName: 'etiqueta.png', mimeType: 'image/png', caption: 'foto da etiqueta' });
    const m1 = await s.next(fake, fromUser(u));
    expect(m1.text).toBe('foto da etiqueta');
    expect(m1.attachments).toHaveLength(1);
    expect(m1.attachments[0]).toMatchObject({ filename: 'etiqueta.png', contentType: 'image/png' });
    expect(m1.attachments[0]?.bytes.equals(png)).toBe(true);

    const pdf = fake.sendDocument(u, Buffer.from('%PDF-1.4 nota'), {
      fileName: 'nota.pdf',
      mimeType: 'application/pdf',
    });
    const m2 = await s.next(fake, (m) => fromUser(u)(m) && m !== m1);
    expect(m2.attachments).toEqual([]);
    expect(m2.refused).toEqual({ tooLarge: 0, notImage: 1 });
    expect(pdf.file.downloads).toBe(0);
  });

  test('sticker, voice and location become a polite-refusal Inbound (empty text, notImage 1)', async () => {
    const u = fake.addUser();
    fake.sendSticker(u);
    fake.sendVoice(u);
    fake.sendLocation(u);
    await fake.waitFor(() => s.got.filter(fromUser(u)).length === 3, 5_000, 'three inbounds');
    for (const m of s.got.filter(fromUser(u))) {
      expect(m).toMatchObject({ text: '', attachments: [], refused: { tooLarge: 0, notImage: 1 } });
    }
  });

  test('a contact: the sender’s own is a verified phone; someone else’s is only text', async () => {
    const u = fake.addUser({ first_name: 'Carla' });
    fake.sendContact(u, '5554999990000');
    const own = await s.next(fake, fromUser(u));
    expect(own.verifiedPhone).toBe('5554999990000');
    expect(own.text).toBe('');

    fake.sendContact(u, '+55 54 98888-7777', { ownerId: 123, firstName: 'Dono', lastName: 'da Loja' });
    const other = await s.next(fake, (m) => fromUser(u)(m) && m !== own);
    expect(other.verifiedPhone).toBeUndefined();
    expect(other.text).toContain('+55 54 98888-7777');
    expect(other.text).toContain('Dono da Loja');

    fake.sendContact(u, '5554977776666', { ownerId: null });
    const noAccount = await s.next(fake, (m) => fromUser(u)(m) && m.text.includes('5554977776666'));
    expect(noAccount.verifiedPhone).toBeUndefined();
  });

  test('an inline button press is answered and becomes the button’s text', async () => {
    const u = fake.addUser({ first_name: 'Davi' });
    await adapter.send(out(`telegram:${u.id}`, 'Qual o motivo?', { options: ['Avaria', 'Peça faltando', 'Outro'] }));
    const press = fake.pressButton(u, 'Peça faltando');
    const m = await s.next(fake, fromUser(u));
    expect(m).toMatchObject({ text: 'Peça faltando', externalId: `c${press.callbackQueryId}`, displayName: 'Davi' });
    expect(fake.callbackAnswered(press.callbackQueryId)).toBe(true);
  });

  test('a redelivered update (same update_id) gives the same externalId', async () => {
    const u = fake.addUser();
    const upd = fake.sendText(u, 'NF 123456');
    const first = await s.next(fake, fromUser(u));
    fake.redeliver(upd);
    await fake.waitFor(() => s.got.filter(fromUser(u)).length === 2, 5_000, 'the redelivery');
    const [a, b] = s.got.filter(fromUser(u));
    expect(b?.externalId).toBe(a?.externalId);
    expect(b?.externalId).toBe(first.externalId);
  });

  test('groups and bots are ignored', async () => {
    const u = fake.addUser();
    fake.sendGroupText(u, 'mensagem no grupo');
    fake.pushUpdate({
      message: {
        message_id: 1,
        from: { id: 999, is_bot: true, first_name: 'OutroBot' },
        chat: { id: 999, type: 'private' },
        date: 0,
        text: 'sou um bot',
      },
    });
    fake.sendText(u, 'mensagem privada');
    await s.next(fake, fromUser(u));
    await new Promise((r) => setTimeout(r, 200));
    expect(s.got.some((m) => m.text === 'mensagem no grupo' || m.text === 'sou um bot')).toBe(false);
    expect(s.got.filter((m) => m.text === 'mensagem privada')).toHaveLength(1);
  });

  test('an album is buffered into one Inbound with every photo', async () => {
    const u = fake.addUser();
    const photos = [crypto.randomBytes(500), crypto.randomBytes(600), crypto.randomBytes(700)];
    fake.sendAlbum(u, photos, 'três fotos do defeito');
    const m = await s.next(fake, fromUser(u));
    await new Promise((r) => setTimeout(r, 300));
    expect(s.got.filter(fromUser(u))).toHaveLength(1);
    expect(m.text).toBe('três fotos do defeito');
    expect(m.attachments.map((a) => a.bytes.toString('hex'))).toEqual(photos.map((p) => p.toString('hex')));
  });

  test('album parts that straddle two polls still make one Inbound', async () => {
    const u = fake.addUser();
    const mediaGroupId = '13579246801357924';
    const a = crypto.randomBytes(400);
    const b = crypto.randomBytes(401);
    fake.sendPhoto(u, a, { mediaGroupId, caption: 'duas fotos' });
    await new Promise((r) => setTimeout(r, 120)); // the first part is fetched alone
    fake.sendPhoto(u, b, { mediaGroupId });
    const m = await s.next(fake, fromUser(u));
    await new Promise((r) => setTimeout(r, 400));
    expect(s.got.filter(fromUser(u))).toHaveLength(1);
    expect(m.attachments.map((x) => x.bytes.length)).toEqual([400, 401]);
  });

  test('a sink that fails is retried: the update is not lost and polling goes on', async () => {
    const u = fake.addUser();
    s.failNext(2);
    fake.sendText(u, 'não me perca');
    const m = await s.next(fake, fromUser(u));
    expect(m.text).toBe('não me perca');
    const v = fake.addUser();
    fake.sendText(v, 'depois');
    await s.next(fake, fromUser(v));
  });

  test('send: plain text, options as an inline keyboard within limits', async () => {
    const u = fake.addUser();
    const long = 'Cadeira Bistrô Madeira Maciça Tabaco com assento estofado — item 3 da nota fiscal 000.123.456';
    const r = await adapter.send(out(`telegram:${u.id}`, 'Qual item?', { options: ['Mesa', long, '  '] }));
    const [sent] = fake.sentTo(u);
    expect(r.externalId).toBe(String(sent?.messageId));
    expect(sent?.parseMode).toBeUndefined();
    expect(sent?.text).toBe('Qual item?');
    expect(sent?.inlineButtons.map((b) => b.text)).toEqual(['Mesa', long]);
    for (const b of sent?.inlineButtons ?? []) expect(Buffer.byteLength(b.data ?? '')).toBeLessThanOrEqual(64);
    expect(fake.refusals).toEqual([]);
  });

  test('send with askContact: a reply keyboard with the request_contact button (and the options)', async () => {
    const u = fake.addUser();
    await adapter.send(
      out(`telegram:${u.id}`, 'Para identificar você, compartilhe seu telefone.', { askContact: true }),
    );
    await adapter.send(out(`telegram:${u.id}`, 'Ou escolha:', { askContact: true, options: ['Informar CNPJ'] }));
    await adapter.send(out(`telegram:${u.id}`, 'Obrigado!'));
    const [a, b, c] = fake.sentTo(u);
    expect(a?.contactButton).toBe(true);
    expect(a?.replyMarkup).toMatchObject({
      keyboard: [[{ text: DEFAULT_CONTACT_BUTTON_TEXT, request_contact: true }]],
      one_time_keyboard: true,
      resize_keyboard: true,
    });
    expect(b?.contactButton).toBe(true);
    expect(b?.keyboardButtons).toEqual(['Informar CNPJ']);
    // The next plain message takes the stale contact keyboard away.
    expect(c?.removeKeyboard).toBe(true);
    expect(fake.refusals).toEqual([]);
  });

  test('send: a text above 4096 characters is split at paragraph boundaries', async () => {
    const u = fake.addUser();
    const paragraphs = Array.from({ length: 12 }, (_, i) => `Parágrafo ${i}: ${'texto '.repeat(140).trim()}`);
    const text = paragraphs.join('\n\n');
    expect(text.length).toBeGreaterThan(8192);
    const r = await adapter.send(out(`telegram:${u.id}`, text, { options: ['Sim', 'Não'] }));
    const sent = fake.sentTo(u);
    expect(sent.length).toBe(3);
    for (const m of sent) {
      expect(m.text.length).toBeLessThanOrEqual(4096);
      expect(m.text.trim()).not.toBe('');
      expect(m.text.startsWith('Parágrafo')).toBe(true);
    }
    expect(sent.map((m) => m.text).join('\n\n')).toBe(text);
    // Buttons on the last part; the returned id is that message's.
    expect(sent[2]?.inlineButtons).toHaveLength(2);
    expect(sent[0]?.inlineButtons).toHaveLength(0);
    expect(r.externalId).toBe(String(sent[2]?.messageId));
  });

  test('send errors: blocked and unknown chats are permanent; 500, 429, timeouts and bad addresses classified', async () => {
    const u = fake.addUser();
    const to = `telegram:${u.id}`;

    const blocked = fake.addUser();
    fake.block(blocked);
    const e403 = await sendError(adapter.send(out(`telegram:${blocked.id}`, 'oi')));
    expect(e403.permanent).toBe(true);
    expect(e403.details).toMatchObject({ code: 403 });

    const e400 = await sendError(adapter.send(out('telegram:424242', 'oi')));
    expect(e400.permanent).toBe(true);
    expect(e400.message).toContain('chat not found');

    expect((await sendError(adapter.send(out('whatsapp:123', 'oi')))).permanent).toBe(true);
    expect((await sendError(adapter.send(out(to, '   ')))).permanent).toBe(true);

    fake.failWith500('sendMessage');
    const e500 = await sendError(adapter.send(out(to, 'oi')));
    expect(e500.permanent).toBe(false);

    fake.fail('sendMessage', 1, { code: 502, description: 'Bad Gateway', html: true });
    expect((await sendError(adapter.send(out(to, 'oi')))).permanent).toBe(false);

    fake.rateLimit('sendMessage', 30);
    const e429 = await sendError(adapter.send(out(to, 'oi')));
    expect(e429.permanent).toBe(false);
    expect(e429.details).toMatchObject({ code: 429, retryAfterMs: 30_000 });
    // While the cool-down lasts, sends to that chat fail fast without calling Telegram.
    const before = fake.callsOf('sendMessage').length;
    const cooling = await sendError(adapter.send(out(to, 'oi')));
    expect(cooling.permanent).toBe(false);
    expect(fake.callsOf('sendMessage').length).toBe(before);

    const v = fake.addUser();
    fake.stall('sendMessage');
    const slow = await sendError(adapter.send(out(`telegram:${v.id}`, 'oi')));
    expect(slow.permanent).toBe(false);
    expect(slow.details).toMatchObject({ kind: 'timeout' });
  });

  test('send: a short 429 is waited out and the message goes through once', async () => {
    const u = fake.addUser();
    fake.rateLimit('sendMessage', 1);
    const t0 = Date.now();
    await adapter.send(out(`telegram:${u.id}`, 'depois da espera'));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expect(fake.sentTo(u).map((m) => m.text)).toEqual(['depois da espera']);
  });

  test('send: a split text whose second part fails does not repeat the first part on retry', async () => {
    const u = fake.addUser();
    const msg = out(`telegram:${u.id}`, `${'a '.repeat(1500).trim()}\n\n${'b '.repeat(1500).trim()}`);
    fake.failWith500('sendMessage', 1, { after: 1 });
    expect((await sendError(adapter.send(msg))).permanent).toBe(false);
    expect(fake.sentTo(u)).toHaveLength(1);
    await adapter.send(msg);
    expect(fake.sentTo(u).map((m) => m.text[0])).toEqual(['a', 'b']);
  });
});

describe('Telegram adapter: start, outages and stop', () => {
  let fake: FakeTelegram;
  beforeEach(async () => {
    fake = await FakeTelegram.start();
  });
  afterEach(async () => {
    await Promise.all(adapters.map((a) => a.stop()));
    await fake.stop();
  });

  test('updates pending before start are processed', async () => {
    const u = fake.addUser();
    fake.sendText(u, 'primeira');
    fake.sendText(u, 'segunda');
    const s = fakeSink();
    const adapter = adapterFor(fake);
    await adapter.start(s.sink);
    await fake.waitFor(() => s.got.length === 2, 5_000, 'both pending updates');
    expect(s.got.map((m) => m.text)).toEqual(['primeira', 'segunda']);
    await adapter.stop();
    expect(fake.pendingUpdates()).toBe(0);
  });

  test('the Bot API goes down and comes back: status down, then up, nothing lost', async () => {
    const s = fakeSink();
    const adapter = adapterFor(fake);
    await adapter.start(s.sink);
    await fake.waitFor(() => adapter.status().state === 'up', 5_000, 'up');
    await fake.goDown();
    await fake.waitFor(() => adapter.status().state === 'down', 5_000, 'down');
    expect(adapter.status().detail).toMatch(/getUpdates/);
    const u = fake.addUser();
    fake.sendText(u, 'enviada durante a queda');
    await fake.comeBack();
    const m = await s.next(fake, fromUser(u), 8_000);
    expect(m.text).toBe('enviada durante a queda');
    expect(adapter.status().state).toBe('up');
    await adapter.stop();
  });

  test('stop ends the long poll at once and reports down', async () => {
    const adapter = adapterFor(fake, { pollTimeoutSeconds: 50 });
    await adapter.start(fakeSink().sink);
    await fake.waitFor(() => fake.polls > 0, 5_000, 'a poll');
    const t0 = Date.now();
    await adapter.stop();
    expect(Date.now() - t0).toBeLessThan(1_000);
    expect(adapter.status()).toMatchObject({ state: 'down', detail: 'stopped' });
    const polls = fake.polls;
    await new Promise((r) => setTimeout(r, 200));
    expect(fake.polls).toBe(polls);
  });

  test('an update failing every round is logged and skipped after maxRounds; later ones still arrive', async () => {
    const s = fakeSink();
    const adapter = adapterFor(fake, { retry: { baseDelayMs: 10, maxDelayMs: 20, sinkAttempts: 2, maxRounds: 2 } });
    s.failNext(4); // 2 rounds × 2 attempts
    const u = fake.addUser();
    fake.sendText(u, 'envenenada');
    await adapter.start(s.sink);
    fake.sendText(u, 'seguinte');
    const m = await s.next(fake, (x) => x.text === 'seguinte');
    expect(m).toBeDefined();
    expect(s.got.some((x) => x.text === 'envenenada')).toBe(false);
    await adapter.stop();
  });
});

describe('Telegram adapter: webhook mode', () => {
  let fake: FakeTelegram;
  let adapter: TelegramAdapter;
  const s = fakeSink();
  const secret = 'segredo_do_webhook-123';

  beforeAll(async () => {
    fake = await FakeTelegram.start();
    adapter = adapterFor(fake, { webhook: { url: 'https://posvenda.example/telegram/webhook', secret } });
    await adapter.start(s.sink);
    await fake.waitFor(() => adapter.status().state === 'up', 5_000, 'webhook set');
  });
  afterAll(async () => {
    await adapter.stop();
    await fake.stop();
  });

  const update = (user: FakeUser, text: string) => ({
    update_id: crypto.randomInt(1, 1e9),
    message: {
      message_id: crypto.randomInt(1, 1e6),
      from: user,
      chat: { id: user.id, type: 'private', first_name: user.first_name },
      date: 0,
      text,
    },
  });

  test('setWebhook with the secret; no polling', () => {
    expect(fake.webhook).toMatchObject({ url: 'https://posvenda.example/telegram/webhook', secretToken: secret });
    expect(fake.callsOf('setWebhook')[0]?.params.drop_pending_updates).not.toBe(true);
    expect(fake.polls).toBe(0);
  });

  test('a missing or wrong secret is refused with 401 and nothing reaches the sink', async () => {
    const u = fake.addUser();
    const handle = adapter.webhookHandler();
    expect((await handle({ headers: {}, body: update(u, 'sem segredo') })).status).toBe(401);
    const wrong = { 'x-telegram-bot-api-secret-token': 'errado' };
    expect((await handle({ headers: wrong, body: update(u, 'segredo errado') })).status).toBe(401);
    const twice = { 'x-telegram-bot-api-secret-token': [secret, secret] };
    expect((await handle({ headers: twice, body: update(u, 'dois cabeçalhos') })).status).toBe(401);
    expect(s.calls).toBe(0);
  });

  test('the right secret: the update reaches the sink and Telegram gets 200', async () => {
    const u = fake.addUser({ first_name: 'Eva' });
    const handle = adapter.webhookHandler();
    const res = await handle({
      headers: { 'X-Telegram-Bot-Api-Secret-Token': secret },
      body: update(u, 'pelo webhook'),
    });
    expect(res.status).toBe(200);
    expect(s.got.filter(fromUser(u)).map((m) => m.text)).toEqual(['pelo webhook']);
  });

  test('a sink that keeps failing answers 500 so Telegram delivers again; a non-update answers 400', async () => {
    const u = fake.addUser();
    const handle = adapter.webhookHandler();
    const headers = { 'x-telegram-bot-api-secret-token': secret };
    s.failNext(100);
    expect((await handle({ headers, body: update(u, 'falha') })).status).toBe(500);
    s.failNext(0);
    expect((await handle({ headers, body: { hello: 'world' } })).status).toBe(400);
  });

  test('album parts posted one per request make one Inbound with every photo; each request gets 200', async () => {
    const u = fake.addUser();
    const handle = adapter.webhookHandler();
    const headers = { 'x-telegram-bot-api-secret-token': secret };
    const photos = [crypto.randomBytes(500), crypto.randomBytes(600), crypto.randomBytes(700)];
    // Built by the fake (files downloadable from it), posted as Telegram would, a few ms apart.
    const parts = fake.sendAlbum(u, photos, 'fotos pelo webhook');
    const answers = parts.map(async (part, i) => {
      await new Promise((r) => setTimeout(r, i * 40));
      return (await handle({ headers, body: part.update })).status;
    });
    expect(await Promise.all(answers)).toEqual([200, 200, 200]);
    const got = s.got.filter(fromUser(u));
    expect(got).toHaveLength(1);
    expect(got[0]?.text).toBe('fotos pelo webhook');
    expect(got[0]?.attachments.map((a) => a.bytes.toString('hex'))).toEqual(photos.map((p) => p.toString('hex')));
  });

  test('a polling adapter has no webhook (404)', async () => {
    const polling = adapterFor(fake);
    expect((await polling.webhookHandler()({ headers: {}, body: {} })).status).toBe(404);
  });
});
