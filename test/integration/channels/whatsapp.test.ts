import { Writable } from 'node:stream';
import pino from 'pino';
import { ChannelSendError, type ChannelStatus, type HandleResult, type Inbound } from '../../../src/channels/types';
import {
  createWhatsappAdapter,
  type WhatsappAdapterOptions,
} from '../../../src/channels/whatsapp/create-whatsapp-adapter';
import { FakeWhatsappClient, wa } from '../../support/fake-whatsapp-client';

const PHONE = '5554999990000@c.us';

/** A pino logger whose lines the test can read. */
function captureLog() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim()) lines.push(JSON.parse(line));
      done();
    },
  });
  return { log: pino({ level: 'debug' }, stream), lines };
}

/** The engine's place: collects what the adapter hands over. */
function collectingSink(opts: { delayMs?: number; failFirst?: number } = {}) {
  const received: Inbound[] = [];
  let active = 0;
  let maxActive = 0;
  let failures = opts.failFirst ?? 0;
  const sink = async (msg: Inbound): Promise<HandleResult> => {
    active++;
    maxActive = Math.max(maxActive, active);
    try {
      if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
      if (failures > 0) {
        failures--;
        throw new Error('database unavailable');
      }
      received.push(msg);
      return { conversationId: 'c1', replies: [], duplicate: false };
    } finally {
      active--;
    }
  };
  return {
    sink,
    received,
    get maxActive() {
      return maxActive;
    },
  };
}

async function waitFor(cond: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('WhatsApp adapter (against a stand-in client)', () => {
  let fake: FakeWhatsappClient;
  let logs: ReturnType<typeof captureLog>;
  let adapter: ReturnType<typeof createWhatsappAdapter>;
  let sink: ReturnType<typeof collectingSink>;
  let printed: string[];

  function make(extra: Partial<WhatsappAdapterOptions> = {}) {
    adapter = createWhatsappAdapter({
      createClient: () => fake,
      log: logs.log,
      maxAttachmentBytes: 1024 * 1024,
      sendGapMs: { min: 0, max: 0 },
      reconnect: { baseMs: 20, maxMs: 80 },
      retryBaseMs: 1,
      healthCheckMs: 0,
      printQr: (qr) => printed.push(qr),
      ...extra,
    });
    return adapter;
  }

  /** Adapter started and `up`. */
  async function up(extra: Partial<WhatsappAdapterOptions> = {}, sinkOpts = {}) {
    sink = collectingSink(sinkOpts);
    make(extra);
    await adapter.start(sink.sink);
    await waitFor(() => fake.initializeCalls === 1, 'initialize');
    fake.emitReady();
    expect(adapter.status().state).toBe('up');
  }

  beforeEach(() => {
    fake = new FakeWhatsappClient();
    logs = captureLog();
    printed = [];
  });

  afterEach(async () => {
    await adapter?.stop();
  });

  describe('lifecycle', () => {
    test('QR → pairing with the QR (and printed); authenticated → starting; ready → up', async () => {
      sink = collectingSink();
      make();
      expect(adapter.status().state).toBe('down');
      await adapter.start(sink.sink);
      expect(adapter.status().state).toBe('starting');
      await waitFor(() => fake.initializeCalls === 1, 'initialize');

      const qr = fake.emitQr();
      expect(adapter.status()).toMatchObject({ state: 'pairing', qr });
      expect(adapter.qr()).toBe(qr);
      expect(printed).toEqual([qr]);

      const refreshed = fake.emitQr();
      expect(adapter.status().qr).toBe(refreshed);

      fake.emitAuthenticated();
      expect(adapter.status().state).toBe('starting');
      expect(adapter.status().qr).toBeUndefined();

      fake.emitReady();
      const s: ChannelStatus = adapter.status();
      expect(s.state).toBe('up');
      expect(s.qr).toBeUndefined();
      expect(Number.isNaN(Date.parse(s.since))).toBe(false);
    });

    test('initialize failing (no network) → down, then retried with a growing backoff until up', async () => {
      fake.failInitialize(2);
      fake.autoReady = true;
      sink = collectingSink();
      make({ reconnect: { baseMs: 30, maxMs: 1000 } });
      await adapter.start(sink.sink);

      await waitFor(() => adapter.status().state === 'down', 'down');
      expect(adapter.status().detail).toContain('ERR_NAME_NOT_RESOLVED');

      await waitFor(() => adapter.status().state === 'up', 'up', 5000);
      expect(fake.initializeCalls).toBe(3);
      const [t0 = 0, t1 = 0, t2 = 0] = fake.initializeTimes;
      expect(t1 - t0).toBeGreaterThanOrEqual(25);
      expect(t2 - t1).toBeGreaterThanOrEqual(55); // doubled
      // Each failed client was destroyed before the next attempt.
      expect(fake.destroyCalls).toBe(2);
      expect(fake.listenerCount('message')).toBe(1);
    });

    test('disconnect → down, destroyed, re-initialized after the backoff → up again; messages flow', async () => {
      await up();
      fake.autoReady = true;
      fake.disconnect('NAVIGATION');
      expect(adapter.status().state).toBe('down');
      expect(adapter.status().detail).toContain('disconnected: NAVIGATION');
      await expect(
        adapter.send({ outboxId: 1, address: '+5554999990000', text: 'oi', conversationId: null }),
      ).rejects.toMatchObject({
        permanent: false,
      });

      await waitFor(() => adapter.status().state === 'up', 'up again');
      expect(fake.initializeCalls).toBe(2);
      expect(fake.destroyCalls).toBe(1);
      // Listeners of the old connection are gone: one message → one delivery.
      expect(fake.listenerCount('message')).toBe(1);
      fake.receive(wa.text(PHONE, 'voltei'));
      await waitFor(() => sink.received.length === 1, 'delivery');
    });

    test('repeated failures back off up to the cap and never give up', async () => {
      fake.failInitialize(6);
      fake.autoReady = true;
      sink = collectingSink();
      make({ reconnect: { baseMs: 10, maxMs: 40 } });
      await adapter.start(sink.sink);
      await waitFor(() => adapter.status().state === 'up', 'up', 5000);
      expect(fake.initializeCalls).toBe(7);
      const gaps = fake.initializeTimes.slice(1).map((t, i) => t - (fake.initializeTimes[i] ?? 0));
      // 10, 20, 40, 40, 40, 40: capped (uncapped, the last would be 320).
      expect(Math.max(...gaps)).toBeLessThan(250);
      expect(gaps[2]).toBeGreaterThanOrEqual(35);
    });

    test('auth_failure → down with the reason, then a new attempt', async () => {
      await up();
      fake.emitAuthFailure('bad session');
      expect(adapter.status()).toMatchObject({ state: 'down' });
      expect(adapter.status().detail).toContain('bad session');
      // The disconnected event that often follows does not schedule a second reconnection.
      fake.disconnect('LOGOUT');
      await waitFor(() => fake.initializeCalls === 2, 'reconnect');
      await sleep(100);
      expect(fake.initializeCalls).toBe(2);
      const qr = fake.emitQr();
      expect(adapter.status()).toMatchObject({ state: 'pairing', qr });
    });

    test('a browser that stops answering getState is replaced', async () => {
      await up({ healthCheckMs: 15, timeoutsMs: { lookup: 15 } });
      fake.autoReady = true;
      fake.state = 'hang';
      await waitFor(() => fake.initializeCalls === 2, 'reconnect after dead page');
      expect(logs.lines.some((l) => String(l.detail ?? '').includes('stopped answering'))).toBe(true);
      fake.state = 'CONNECTED';
      await waitFor(() => adapter.status().state === 'up', 'up again');
    });

    test('CONFLICT (WhatsApp Web opened elsewhere) → down; CONNECTED → up', async () => {
      await up();
      fake.emitChangeState('CONFLICT');
      expect(adapter.status()).toMatchObject({ state: 'down', detail: 'WhatsApp state CONFLICT' });
      fake.emitChangeState('CONNECTED');
      expect(adapter.status().state).toBe('up');
    });

    test('a client factory that throws does not crash: down and retried', async () => {
      let calls = 0;
      sink = collectingSink();
      fake.autoReady = true;
      adapter = createWhatsappAdapter({
        createClient: () => {
          calls++;
          if (calls === 1) throw new Error('chromium not found');
          return fake;
        },
        log: logs.log,
        maxAttachmentBytes: 1000,
        reconnect: { baseMs: 10, maxMs: 10 },
        healthCheckMs: 0,
        printQr: () => {},
      });
      await adapter.start(sink.sink);
      await waitFor(() => adapter.status().state === 'up', 'up');
      expect(calls).toBe(2);
    });

    test('stop → destroy called, listeners removed, no timers left, sends refused', async () => {
      await up();
      fake.disconnect(); // a reconnection timer is armed…
      await adapter.stop(); // …and cleared here
      expect(fake.destroyCalls).toBeGreaterThanOrEqual(1);
      expect(fake.listenerCount('message')).toBe(0);
      expect(adapter.status()).toMatchObject({ state: 'down', detail: 'stopped' });
      await sleep(60);
      expect(fake.initializeCalls).toBe(1);
      await expect(
        adapter.send({ outboxId: 1, address: '+5554999990000', text: 'x', conversationId: null }),
      ).rejects.toMatchObject({
        permanent: false,
      });
    });

    test('stop lets messages already accepted (and arriving meanwhile) finish first', async () => {
      await up({}, { delayMs: 30 });
      fake.receive(wa.text(PHONE, 'um'));
      fake.receive(wa.text(PHONE, 'dois'));
      const stopping = adapter.stop();
      // Received by the page while stopping: taken too (the page would not offer it again).
      fake.receive(wa.text(PHONE, 'três'));
      await stopping;
      expect(sink.received.map((m) => m.text)).toEqual(['um', 'dois', 'três']);
      fake.receive(wa.text(PHONE, 'depois'));
      await sleep(50);
      expect(sink.received).toHaveLength(3);
    });
  });

  describe('inbound', () => {
    test('text from <digits>@c.us → E.164 address, id, name', async () => {
      await up();
      const m = fake.receive(wa.text(PHONE, 'boa tarde, NF 123456 porta riscada', { notifyName: 'Loja Exemplo' }));
      await waitFor(() => sink.received.length === 1, 'delivery');
      expect(sink.received[0]).toEqual({
        channel: 'whatsapp',
        address: '+5554999990000',
        externalId: m.id._serialized,
        text: 'boa tarde, NF 123456 porta riscada',
        displayName: 'Loja Exemplo',
        attachments: [],
      });
    });

    test('after connecting, takes the unread messages that came while away (recent, not ours, not groups)', async () => {
      const now = Math.floor(Date.now() / 1000);
      const other = '5554988887777@c.us';
      fake.whileAway(wa.text(PHONE, 'mensagem de três dias atrás', { timestamp: now - 3 * 86_400 }));
      const first = fake.whileAway(wa.text(PHONE, 'a porta chegou quebrada', { timestamp: now - 3600 }));
      const second = fake.whileAway(wa.text(PHONE, 'NF 88001', { timestamp: now - 3500 }));
      fake.whileAway(wa.text(other, 'oi, vocês respondem aqui?', { timestamp: now - 60 }));
      fake.whileAway(wa.own('5554977776666@c.us', 'já respondido por nós'));
      fake.whileAway(wa.group('120363000000000001@g.us', PHONE, 'pessoal, bom dia'));
      await up();
      await waitFor(() => sink.received.length === 3, 'catch-up');
      await sleep(50);
      expect(sink.received.map((m) => [m.address, m.text])).toEqual([
        ['+5554999990000', 'a porta chegou quebrada'],
        ['+5554999990000', 'NF 88001'],
        ['+5554988887777', 'oi, vocês respondem aqui?'],
      ]);
      expect(sink.received.map((m) => m.externalId).slice(0, 2)).toEqual([first.id._serialized, second.id._serialized]);
      // A message that was also emitted (or emitted again after a reconnection) is handed over once.
      fake.emit('message', first);
      await sleep(50);
      expect(sink.received).toHaveLength(3);
    });

    test('a number registered without the extra 9 keeps its digits; a foreign number is +<digits>', async () => {
      await up();
      fake.receive(wa.text('555499990000@c.us', 'oi'));
      fake.receive(wa.text('351912345678@c.us', 'olá'));
      fake.receive(wa.text('12925551234@c.us', 'hi'));
      await waitFor(() => sink.received.length === 3, 'deliveries');
      expect(sink.received.map((m) => m.address)).toEqual(['+555499990000', '+351912345678', '+12925551234']);
    });

    test('without notifyName the push name comes from the contact', async () => {
      await up();
      fake.contacts.set(PHONE, {
        id: { server: 'c.us', user: '5554999990000', _serialized: PHONE },
        number: '5554999990000',
        pushname: 'Móveis Silva',
      });
      fake.receive(wa.text(PHONE, 'oi'));
      await waitFor(() => sink.received.length === 1, 'delivery');
      expect(sink.received[0]?.displayName).toBe('Móveis Silva');
    });

    test('image: bytes intact, caption as text', async () => {
      await up();
      const bytes = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7) % 256));
      fake.receive(wa.image(PHONE, bytes, { body: 'a porta' }));
      await waitFor(() => sink.received.length === 1, 'delivery');
      const got = sink.received[0];
      expect(got?.text).toBe('a porta');
      expect(got?.attachments).toHaveLength(1);
      expect(got?.attachments[0]?.bytes.equals(bytes)).toBe(true);
      expect(got?.attachments[0]?.contentType).toBe('image/jpeg');
      expect(got?.refused).toBeUndefined();
    });

    test('download fails twice, then succeeds → delivered with the image', async () => {
      await up();
      fake.failDownload(2);
      const bytes = Buffer.from('jpeg bytes');
      const m = fake.receive(wa.image(PHONE, bytes));
      await waitFor(() => sink.received.length === 1, 'delivery');
      expect(m.downloads).toBe(3);
      expect(sink.received[0]?.attachments[0]?.bytes.equals(bytes)).toBe(true);
    });

    test('download failing for good → Inbound still produced, counted as refused, error logged with the id', async () => {
      await up({ downloadRetries: 2 });
      fake.failDownload(Number.POSITIVE_INFINITY);
      const m = fake.receive(wa.image(PHONE, Buffer.from('x'), { body: 'olha a foto' }));
      await waitFor(() => sink.received.length === 1, 'delivery');
      expect(m.downloads).toBe(3);
      expect(sink.received[0]).toMatchObject({
        text: 'olha a foto',
        attachments: [],
        refused: { tooLarge: 0, notImage: 0, unavailable: 1 },
        externalId: m.id._serialized,
      });
      const errors = logs.lines.filter((l) => l.level === 50);
      expect(errors.some((l) => l.messageId === m.id._serialized)).toBe(true);
    });

    test('too large: refused by the announced size without downloading, or by the decoded size', async () => {
      await up({ maxAttachmentBytes: 100 });
      const announced = fake.receive(wa.image(PHONE, Buffer.alloc(50), { declaredSize: 5000 }));
      const actual = fake.receive(wa.image(PHONE, Buffer.alloc(500), { declaredSize: 0 }));
      await waitFor(() => sink.received.length === 2, 'deliveries');
      expect(announced.downloads).toBe(0);
      expect(actual.downloads).toBe(1);
      for (const got of sink.received) {
        expect(got.attachments).toEqual([]);
        expect(got.refused).toEqual({ tooLarge: 1, notImage: 0 });
      }
    });

    test('document: downloaded and passed on (the engine decides by content)', async () => {
      await up();
      const pdf = Buffer.from('%PDF-1.4 fake');
      fake.receive(wa.document(PHONE, pdf, 'nota.pdf', 'application/pdf'));
      await waitFor(() => sink.received.length === 1, 'delivery');
      expect(sink.received[0]?.attachments).toEqual([
        { bytes: pdf, filename: 'nota.pdf', contentType: 'application/pdf' },
      ]);
    });

    test('sticker, location, voice note, contact card → polite-refusal Inbound, empty text, nothing downloaded', async () => {
      await up();
      const msgs = [wa.sticker(PHONE), wa.location(PHONE), wa.ptt(PHONE), wa.vcard(PHONE)].map((m) => fake.receive(m));
      await waitFor(() => sink.received.length === 4, 'deliveries');
      for (const got of sink.received) {
        expect(got).toMatchObject({ text: '', attachments: [], refused: { tooLarge: 0, notImage: 1 } });
      }
      expect(msgs.every((m) => m.downloads === 0)).toBe(true);
    });

    test('groups, status updates, own messages, newsletters and system records are ignored', async () => {
      await up();
      fake.receive(wa.group('120363025555555555@g.us', PHONE, 'oi grupo'));
      fake.receive(wa.status(PHONE));
      fake.receive(wa.own(PHONE, 'mensagem minha'));
      fake.receive(wa.newsletter('novidades'));
      fake.receive({ from: PHONE, type: 'e2e_notification' });
      fake.receive({ from: PHONE, type: 'revoked' });
      fake.receive(wa.text(PHONE, 'só esta'));
      await waitFor(() => sink.received.length === 1, 'delivery');
      await sleep(30);
      expect(sink.received.map((m) => m.text)).toEqual(['só esta']);
    });

    test('garbage events are ignored without crashing', async () => {
      await up();
      fake.emit('message', null);
      fake.emit('message', { id: 42 });
      fake.emit('qr', 123);
      fake.receive(wa.text(PHONE, 'ok'));
      await waitFor(() => sink.received.length === 1, 'delivery');
    });

    test('the same message fired twice → handed over once', async () => {
      await up();
      fake.receive(wa.text(PHONE, 'oi', { id: 'DUP1' }));
      fake.receive(wa.text(PHONE, 'oi', { id: 'DUP1' }));
      await waitFor(() => sink.received.length === 1, 'delivery');
      fake.receive(wa.text(PHONE, 'oi', { id: 'DUP1' }));
      await sleep(30);
      expect(sink.received).toHaveLength(1);
    });

    test('a failing sink is retried; the message is not lost', async () => {
      await up({}, { failFirst: 2 });
      fake.receive(wa.text(PHONE, 'oi'));
      await waitFor(() => sink.received.length === 1, 'delivery');
    });

    test('@lid sender with a known phone → E.164', async () => {
      await up();
      fake.lidPhones.set('123456789012345@lid', '5554988887777@c.us');
      fake.receive(wa.text('123456789012345@lid', 'oi', { notifyName: 'Loja' }));
      await waitFor(() => sink.received.length === 1, 'delivery');
      expect(sink.received[0]?.address).toBe('+5554988887777');
    });

    test('@lid sender: phone from the contact when the library lacks getContactLidAndPhone', async () => {
      await up();
      fake.getContactLidAndPhone = undefined;
      fake.contacts.set('999888777666555@lid', {
        id: { server: 'c.us', user: '5554977776666', _serialized: '5554977776666@c.us' },
        number: '5554977776666',
        pushname: 'Loja Lid',
      });
      fake.receive(wa.text('999888777666555@lid', 'oi'));
      await waitFor(() => sink.received.length === 1, 'delivery');
      expect(sink.received[0]).toMatchObject({ address: '+5554977776666', displayName: 'Loja Lid' });
    });

    test('@lid sender with a hidden phone → whatsapp:<id>, and replies go back to that id', async () => {
      await up();
      fake.receive(wa.text('111222333444555@lid', 'oi'));
      await waitFor(() => sink.received.length === 1, 'delivery');
      const address = sink.received[0]?.address ?? '';
      expect(address).toBe('whatsapp:111222333444555@lid');
      await adapter.send({ outboxId: 7, address, text: 'Qual o CNPJ da loja?', conversationId: 'c1' });
      expect(fake.sent[0]?.chatId).toBe('111222333444555@lid');
    });

    test('a burst of 20 messages is handed over in order, one at a time', async () => {
      await up({}, { delayMs: 3 });
      const sentIds: string[] = [];
      for (let i = 0; i < 20; i++) {
        const from = i % 2 ? PHONE : '5554911112222@c.us';
        sentIds.push(fake.receive(wa.text(from, `mensagem ${i}`)).id._serialized);
      }
      await waitFor(() => sink.received.length === 20, 'all deliveries');
      expect(sink.received.map((m) => m.externalId)).toEqual(sentIds);
      expect(sink.maxActive).toBe(1);
    });
  });

  describe('outbound', () => {
    test('options as a numbered list to the chat id; the sent id is returned', async () => {
      await up();
      const r = await adapter.send({
        outboxId: 1,
        address: '+5554999990000',
        text: 'Confirma a abertura da assistência?',
        options: ['Sim', 'Não'],
        conversationId: 'c1',
      });
      expect(fake.sent).toHaveLength(1);
      expect(fake.sent[0]).toMatchObject({
        chatId: '5554999990000@c.us',
        content: 'Confirma a abertura da assistência?\n\n1. Sim\n2. Não\n\nResponda com o número.',
      });
      expect(r.externalId).toBe('true_5554999990000@c.us_SENT1');
    });

    test('a mobile registered without the extra 9 is found by getNumberId', async () => {
      await up();
      fake.registered = new Set(['555499990000']);
      await adapter.send({ outboxId: 1, address: '+5554999990000', text: 'oi', conversationId: null });
      expect(fake.sent[0]?.chatId).toBe('555499990000@c.us');
      // Remembered: no second lookup.
      await adapter.send({ outboxId: 2, address: '+5554999990000', text: 'de novo', conversationId: null });
      expect(fake.numberLookups).toEqual(['5554999990000', '555499990000']);
    });

    test('while not up → ChannelSendError, not permanent', async () => {
      sink = collectingSink();
      make();
      await adapter.start(sink.sink);
      fake.emitQr();
      const err = await adapter
        .send({ outboxId: 1, address: '+5554999990000', text: 'oi', conversationId: null })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ChannelSendError);
      expect(err).toMatchObject({ permanent: false });
    });

    test('library errors are not permanent; an invalid id, a bad address or an unregistered number are', async () => {
      await up();
      const base = { outboxId: 1, text: 'oi', conversationId: null };
      fake.failSend(1);
      await expect(adapter.send({ ...base, address: '+5554999990000' })).rejects.toMatchObject({ permanent: false });
      fake.failSend(1, 'Evaluation failed: Error: wid error: invalid wid');
      await expect(adapter.send({ ...base, address: '+5554999990000' })).rejects.toMatchObject({ permanent: true });
      await expect(adapter.send({ ...base, address: 'loja@example.com' })).rejects.toMatchObject({ permanent: true });
      await expect(adapter.send({ ...base, address: 'whatsapp:1203630255@g.us' })).rejects.toMatchObject({
        permanent: true,
      });
      fake.registered = new Set();
      await expect(adapter.send({ ...base, address: '+5554933332222' })).rejects.toMatchObject({ permanent: true });
      // Nothing got through.
      expect(fake.sent).toHaveLength(0);
    });

    test('human-like pace: sends to one chat are spaced and ordered; other chats are not held up', async () => {
      await up({ sendGapMs: { min: 150, max: 150 } });
      const base = { text: '', conversationId: null };
      const a = [1, 2, 3].map((i) => adapter.send({ ...base, outboxId: i, address: '+5554999990000', text: `a${i}` }));
      const b = adapter.send({ ...base, outboxId: 9, address: '+5554911112222', text: 'b1' });
      await Promise.all([...a, b]);
      const toA = fake.sent.filter((s) => s.chatId === '5554999990000@c.us');
      expect(toA.map((s) => s.content)).toEqual(['a1', 'a2', 'a3']);
      expect((toA[1]?.at ?? 0) - (toA[0]?.at ?? 0)).toBeGreaterThanOrEqual(145);
      expect((toA[2]?.at ?? 0) - (toA[1]?.at ?? 0)).toBeGreaterThanOrEqual(145);
      const toB = fake.sent.find((s) => s.chatId === '5554911112222@c.us');
      expect((toB?.at ?? 0) - (toA[0]?.at ?? 0)).toBeLessThan(100);
    });
  });
});
