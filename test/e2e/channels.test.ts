import pino from 'pino';
import { type AppContext, type ContextOptions, createContext } from '../../src/app-context';
import { createEmailAdapter } from '../../src/channels/email';
import { createTelegramAdapter } from '../../src/channels/telegram';
import { createWhatsappAdapter } from '../../src/channels/whatsapp/create-whatsapp-adapter';
import { parseConfig } from '../../src/config';
import { dbKeyValueStore } from '../../src/db/kv-store';
import { requestIdByProtocol, requestsJson } from '../../src/db/requests-repo';
import { decide } from '../../src/services/review';
import { importFixtures, photo, TODAY } from '../support/app';
import { dbKinds, openTestDb, tempDir } from '../support/db';
import { describeWithDovecot, startDovecot, type TestDovecot } from '../support/dovecot';
import { FakeTelegram } from '../support/fake-telegram';
import { FakeWhatsappClient, wa } from '../support/fake-whatsapp-client';
import { type SmtpListener, startSmtpListener } from '../support/smtp-listener';

/*
 * Per channel, a full intake ending in a submitted request with photos, then a staff decision that
 * reaches the customer on that channel — through the real composition root (engine, outbox,
 * queue, delivery) and real protocol peers: a fake Bot API over HTTP, Dovecot + an SMTP listener,
 * and the WhatsApp stand-in client.
 */
const log = pino({ level: 'silent' });
const MB = 1024 * 1024;

async function contextWith(kind: 'pglite' | 'postgres', channels: ContextOptions['channels']) {
  const handle = await openTestDb(kind);
  await importFixtures(handle);
  const tmp = tempDir('posvenda-ch-');
  const cfg = parseConfig({ DATA_DIR: tmp.dir, TODAY, LOG_LEVEL: 'silent' });
  const ctx = await createContext(cfg, log, {
    handle,
    channels,
    delivery: { backoffMs: 100, attempts: 20, claimTimeoutMs: 2000, sweepEveryMs: 500 },
  });
  await ctx.start();
  return {
    ctx,
    close: async () => {
      await ctx.stop();
      tmp.cleanup();
    },
  };
}

async function decideAndDeliver(
  ctx: AppContext,
  protocol: string,
  decision: 'accept' | 'return' | 'charge',
  message?: string,
) {
  const res = await decide(ctx.handle.db, protocol, decision, message, 'user:gabriele@fabrica');
  await ctx.delivery.enqueue(res.outboxIds);
}

async function request(ctx: AppContext, protocol: string) {
  const id = await requestIdByProtocol(ctx.handle.db, protocol);
  return (await requestsJson(ctx.handle.db, [id!], TODAY))[0]!;
}

const protocolIn = (text: string) => /AT-\d{6}/.exec(text)?.[0];

describe.each(dbKinds())('channels end to end on %s', (kind) => {
  describe('Telegram (fake Bot API over HTTP)', () => {
    let tg: FakeTelegram;
    let env: Awaited<ReturnType<typeof contextWith>>;
    beforeAll(async () => {
      tg = await FakeTelegram.start();
      const adapter = createTelegramAdapter({
        token: tg.token,
        apiRoot: tg.apiRoot,
        log,
        maxAttachmentBytes: 10 * MB,
        pollTimeoutSeconds: 1,
      });
      env = await contextWith(kind, [adapter]);
    }, 90_000);
    afterAll(async () => {
      await env?.close();
      await tg?.stop();
    });

    it('takes a report, identifies by shared phone, submits, and tells the decision', async () => {
      const user = tg.addUser({ first_name: 'Gabriel' });
      tg.sendPhoto(user, await photo(), {
        caption: 'nf 88001 a porta basculante 410100 chegou amassada, caixa rasgada. 1 peça',
      });
      const ask = await tg.waitFor(() => tg.sentTo(user).find((m) => m.contactButton), 20_000, 'phone button');
      expect(ask.text).toMatch(/CNPJ|telefone/);
      tg.sendMessageWith(user, {
        contact: { phone_number: '+5554999112233', first_name: 'Gabriel', user_id: user.id },
      });
      const summary = await tg.waitFor(
        () => tg.sentTo(user).find((m) => /Posso registrar/.test(m.text)),
        20_000,
        'summary',
      );
      expect(summary.text).toMatch(/410100.*qtd: 1/);
      expect(summary.inlineButtons[0]?.text).toMatch(/^Sim/);
      const press = tg.pressButton(user, summary.inlineButtons[0]!.text);
      const done = await tg.waitFor(() => tg.sentTo(user).find((m) => protocolIn(m.text)), 20_000, 'protocol');
      expect(tg.callbackAnswered(press.callbackQueryId)).toBe(true);
      const protocol = protocolIn(done.text)!;
      const req = await request(env.ctx, protocol);
      expect(req).toMatchObject({ channel: 'telegram', contact: '+5554999112233', customer: { code: 'L100' } });
      expect(req.photos).toHaveLength(1);

      await decideAndDeliver(env.ctx, protocol, 'accept');
      await tg.waitFor(() => tg.sentTo(user).find((m) => /aprovada/.test(m.text)), 20_000, 'acceptance');
    }, 90_000);

    it('processes a redelivered update once, and answers a sticker politely', async () => {
      const user = tg.addUser({ first_name: 'Ana' });
      const u = tg.sendText(user, 'oi');
      await tg.waitFor(() => tg.sentTo(user).length === 1, 20_000, 'first answer');
      tg.redeliver(u);
      tg.sendSticker(user);
      await tg.waitFor(() => tg.sentTo(user).length === 2, 20_000, 'sticker answer');
      await new Promise((r) => setTimeout(r, 1500));
      const texts = tg.sentTo(user).map((m) => m.text);
      expect(texts).toHaveLength(2);
      expect(texts[1]).toMatch(/imagem/);
    }, 60_000);
  });

  describeWithDovecot()('e-mail (Dovecot + SMTP listener)', () => {
    let dove: TestDovecot;
    let smtp: SmtpListener;
    let env: Awaited<ReturnType<typeof contextWith>>;
    beforeAll(async () => {
      dove = await startDovecot();
      smtp = await startSmtpListener();
      const handle0 = await openTestDb(kind); // only for the adapter's state store
      const adapter = createEmailAdapter({
        imap: {
          host: dove.host,
          port: dove.port,
          secure: false,
          user: dove.user,
          password: dove.password,
          mailbox: 'INBOX',
        },
        smtp: { host: smtp.host, port: smtp.port, secure: false },
        from: 'Assistência Técnica <posvenda@fabrica.test>',
        state: dbKeyValueStore(handle0.db),
        log,
        maxAttachmentBytes: 10 * MB,
        processed: 'flag',
        pollIntervalMs: 1000,
      });
      env = await contextWith(kind, [adapter]);
      const close = env.close;
      env.close = async () => {
        await close();
        await handle0.close();
      };
    }, 90_000);
    afterAll(async () => {
      await env?.close();
      await smtp?.close();
      await dove?.stop();
    });

    function mail(opts: {
      from: string;
      subject: string;
      text: string;
      inReplyTo?: string;
      jpeg?: Buffer;
      html?: string;
    }) {
      const boundary = `b${Date.now()}`;
      const id = `<c${Date.now()}${Math.random().toString(36).slice(2)}@loja.test>`;
      const head = [
        `From: Loja <${opts.from}>`,
        'To: posvenda@fabrica.test',
        `Subject: ${opts.subject}`,
        `Message-ID: ${id}`,
        `Date: ${new Date().toUTCString()}`,
        ...(opts.inReplyTo ? [`In-Reply-To: ${opts.inReplyTo}`, `References: ${opts.inReplyTo}`] : []),
        'MIME-Version: 1.0',
        `Content-Type: multipart/mixed; boundary="${boundary}"`,
      ];
      const parts = [
        `--${boundary}\r\nContent-Type: ${opts.html ? 'text/html' : 'text/plain'}; charset=utf-8\r\n\r\n${opts.html ?? opts.text}\r\n`,
      ];
      if (opts.jpeg) {
        parts.push(
          `--${boundary}\r\nContent-Type: image/jpeg; name="foto.jpg"\r\nContent-Disposition: attachment; filename="foto.jpg"\r\nContent-Transfer-Encoding: base64\r\n\r\n${opts.jpeg.toString('base64')}\r\n`,
        );
      }
      return { raw: `${head.join('\r\n')}\r\n\r\n${parts.join('')}--${boundary}--\r\n`, id };
    }

    it('takes a report by mail, answers in the thread, submits, and tells the decision in the same thread', async () => {
      const first = mail({
        from: 'contato@artemoveis.com.br',
        subject: 'Peça avariada',
        text: 'Bom dia, a NF 88001 veio com a porta 410100 amassada pela transportadora. 1 peça. Foto anexa.\n\nAtt,\nJoão',
        jpeg: await photo(),
      });
      await dove.append(first.raw);
      const [summary] = await smtp.waitFor(1, 30_000);
      expect(summary!.parsed.text).toMatch(/410100.*qtd: 1/);
      expect(summary!.parsed.text).toMatch(/1\. Sim/);
      expect(summary!.header('in-reply-to')).toBe(first.id);
      const ourId = summary!.header('message-id')!;
      await dove.append(
        mail({ from: 'contato@artemoveis.com.br', subject: 'Re: Peça avariada', text: '1', inReplyTo: ourId }).raw,
      );
      const mails = await smtp.waitFor(2, 30_000);
      const protocol = protocolIn(mails[1]!.parsed.text ?? '')!;
      expect(protocol).toBeDefined();
      const req = await request(env.ctx, protocol);
      expect(req).toMatchObject({ channel: 'email', contact: 'contato@artemoveis.com.br', invoiceNumber: '88001' });
      expect(req.photos).toHaveLength(1);

      await decideAndDeliver(env.ctx, protocol, 'return', 'A foto não mostra a peça instalada.');
      const after = await smtp.waitFor(3, 30_000);
      const note = after[2]!;
      expect(note.parsed.subject).toContain(`[${protocol}]`);
      expect(note.parsed.text).toMatch(/foto não mostra a peça instalada/);
      expect(note.header('references')).toContain(first.id);
    }, 120_000);

    it('reads an HTML-only mail with scripts as text and starts a new conversation for a new mail', async () => {
      const before = smtp.mails.length;
      await dove.append(
        mail({
          from: 'contato@artemoveis.com.br',
          subject: 'Dúvida',
          text: '',
          html: '<html><body><script>alert(1)</script><p>Preciso falar com alguém da assistência, por favor.</p></body></html>',
        }).raw,
      );
      const mails = await smtp.waitFor(before + 1, 30_000);
      const reply = mails[before]!;
      expect(reply.parsed.text).toMatch(/Encaminhei/);
      expect(reply.parsed.text).not.toMatch(/alert/);
    }, 60_000);
  });

  describe('WhatsApp (stand-in client)', () => {
    let client: FakeWhatsappClient;
    let env: Awaited<ReturnType<typeof contextWith>>;
    beforeAll(async () => {
      client = new FakeWhatsappClient();
      const adapter = createWhatsappAdapter({
        createClient: () => client,
        log,
        maxAttachmentBytes: 10 * MB,
        sendGapMs: { min: 0, max: 0 },
        printQr: () => {},
      });
      env = await contextWith(kind, [adapter]);
      client.emitReady();
    }, 90_000);
    afterAll(() => env?.close());

    const sentTo = (chat: string) => client.sent.filter((s) => s.chatId === chat).map((s) => s.content);
    const waitSent = async (chat: string, re: RegExp, ms = 20_000) => {
      const t0 = Date.now();
      for (;;) {
        const hit = sentTo(chat).find((t) => re.test(t));
        if (hit) return hit;
        if (Date.now() - t0 > ms)
          throw new Error(`no message matching ${re} to ${chat}: ${JSON.stringify(sentTo(chat))}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };

    it('takes a report with a photo, submits, and tells a charged-assistance decision', async () => {
      const chat = '5551988776655@c.us';
      client.receive(
        wa.image(chat, await photo(), { body: 'nf 88003 a prateleira 520048 veio com furação errada, 1 un' }),
      );
      const summary = await waitSent(chat, /Posso registrar/);
      expect(summary).toMatch(/1\. Sim/);
      const twice = client.receive(wa.text(chat, '1', { id: 'DUP1' }));
      client.emit('message', twice); // the library can fire the same message twice
      const done = await waitSent(chat, /protocolo AT-\d{6}/);
      const protocol = protocolIn(done)!;
      expect(await request(env.ctx, protocol)).toMatchObject({ channel: 'whatsapp', contact: '+5551988776655' });
      await decideAndDeliver(env.ctx, protocol, 'charge', 'O dano foi no manuseio.');
      await waitSent(chat, /assistência cobrada/);
      expect(sentTo(chat).filter((t) => /protocolo AT-/.test(t))).toHaveLength(1);
    }, 90_000);

    it('answers a location politely and goes on', async () => {
      const chat = '5511977665544@c.us';
      client.receive(wa.location(chat));
      await waitSent(chat, /imagem|foto|ajud/);
    }, 60_000);
  });
});
