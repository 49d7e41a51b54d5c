import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { createEmailAdapter, type EmailAdapterOptions } from '../../../src/channels/email';
import type { ChannelAdapter, HandleResult, Inbound, OutboundMessage } from '../../../src/channels/types';
import { describeWithDovecot, startDovecot, type TestDovecot } from '../../support/dovecot';
import { memoryKv } from '../../support/memory-kv';
import { type SmtpListener, startSmtpListener } from '../../support/smtp-listener';

const FIXTURES = path.join(__dirname, '../../fixtures/email');
const fixture = (name: string) => fs.readFileSync(path.join(FIXTURES, name));
const PHOTO = fixture('photo.jpg');
const OWN = 'posvenda@posvenda.test';
const CONV = '5f0c6a7e-8d1b-4c2a-9e3f-0a1b2c3d4e5f';
const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function waitUntil(what: string, pred: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const t0 = Date.now();
  while (!(await pred())) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** The engine's inbox in miniature: stores each (address, externalId) once, reports repeats as duplicates. */
class FakeSink {
  items: Inbound[] = [];
  calls = 0;
  duplicates = 0;
  private readonly seen = new Set<string>();
  handle = async (m: Inbound): Promise<HandleResult> => {
    this.calls++;
    const key = `${m.address}\u0000${m.externalId}`;
    if (this.seen.has(key)) {
      this.duplicates++;
      return { conversationId: 'c', replies: [], duplicate: true };
    }
    this.seen.add(key);
    this.items.push(m);
    return { conversationId: 'c', replies: [], duplicate: false };
  };
  waitFor(n: number, timeoutMs = 10_000) {
    return waitUntil(`${n} inbound mails (have ${this.items.length})`, () => this.items.length >= n, timeoutMs);
  }
  bySubject(subject: string): Inbound {
    const m = this.items.find((i) => i.thread?.subject === subject);
    if (!m) throw new Error(`no inbound with subject ${subject}; have ${this.items.map((i) => i.thread?.subject)}`);
    return m;
  }
}

interface Part {
  filename?: string;
  contentType: string;
  data: Buffer;
  disposition?: 'attachment' | 'inline';
  cid?: string;
}

/** A raw MIME mail as ordinary clients write it (multipart/alternative, mixed, related). */
function mail(o: {
  from: string;
  subject: string;
  text?: string;
  html?: string;
  messageId?: string | null;
  headers?: string[];
  attachments?: Part[];
  related?: Part[];
}): Buffer {
  const b = () => `=_b_${randomBytes(6).toString('hex')}`;
  const b64 = (d: Buffer) => d.toString('base64').replace(/.{76}(?=.)/g, '$&\r\n');
  const textPart = (type: string, body: string) =>
    `Content-Type: ${type}; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64(Buffer.from(body))}`;
  const filePart = (p: Part) =>
    [
      `Content-Type: ${p.contentType}${p.filename ? `; name="${p.filename}"` : ''}`,
      `Content-Disposition: ${p.disposition ?? 'attachment'}${p.filename ? `; filename="${p.filename}"` : ''}`,
      ...(p.cid ? [`Content-ID: <${p.cid}>`] : []),
      'Content-Transfer-Encoding: base64',
      '',
      b64(p.data),
    ].join('\r\n');
  const multipart = (type: string, parts: string[]) => {
    const boundary = b();
    return `Content-Type: multipart/${type}; boundary="${boundary}"\r\n\r\n${parts.map((p) => `--${boundary}\r\n${p}\r\n`).join('')}--${boundary}--\r\n`;
  };
  let body: string;
  if (o.text !== undefined && o.html !== undefined)
    body = multipart('alternative', [textPart('text/plain', o.text), textPart('text/html', o.html)]);
  else if (o.html !== undefined) body = textPart('text/html', o.html);
  else body = textPart('text/plain', o.text ?? '');
  if (o.related?.length) body = multipart('related', [body, ...o.related.map(filePart)]);
  if (o.attachments?.length) body = multipart('mixed', [body, ...o.attachments.map(filePart)]);
  const headers = [
    `From: ${o.from}`,
    `To: Posvenda <${OWN}>`,
    `Subject: =?UTF-8?B?${Buffer.from(o.subject).toString('base64')}?=`,
    'Date: Mon, 2 Mar 2026 10:00:00 -0300',
    ...(o.messageId === null
      ? []
      : [`Message-ID: ${o.messageId ?? `<${randomBytes(8).toString('hex')}@cliente.test>`}`]),
    'MIME-Version: 1.0',
    ...(o.headers ?? []),
  ];
  return Buffer.from(`${headers.join('\r\n')}\r\n${body}`);
}

const describeEmail = describeWithDovecot();

describeEmail('e-mail adapter against a real Dovecot and SMTP listener', () => {
  let dovecot: TestDovecot;
  let smtp: SmtpListener;
  let adapters: ChannelAdapter[] = [];

  beforeAll(async () => {
    dovecot = await startDovecot();
    smtp = await startSmtpListener({ user: dovecot.user, password: dovecot.password });
  }, 30_000);

  afterEach(async () => {
    await Promise.all(adapters.map((a) => a.stop()));
    adapters = [];
  });

  afterAll(async () => {
    await smtp?.close();
    await dovecot?.stop();
  }, 20_000);

  function adapter(o: Partial<EmailAdapterOptions> & { mailbox: string }): ChannelAdapter {
    const a = createEmailAdapter({
      imap: {
        host: dovecot.host,
        port: dovecot.port,
        secure: false,
        user: dovecot.user,
        password: dovecot.password,
        mailbox: o.mailbox,
      },
      smtp: { host: smtp.host, port: smtp.port, secure: false, user: dovecot.user, password: dovecot.password },
      from: `Posvenda Assistência <${OWN}>`,
      state: o.state ?? memoryKv(),
      log,
      maxAttachmentBytes: o.maxAttachmentBytes ?? 10 * 1024 * 1024,
      processed: o.processed ?? 'flag',
      pollIntervalMs: o.pollIntervalMs ?? 30_000,
      firstSyncDays: o.firstSyncDays,
    });
    adapters.push(a);
    return a;
  }

  const flagsOf = async (mailbox: string, subject: string) =>
    (await dovecot.messages(mailbox)).find((m) => m.subject === subject)?.flags ?? [];

  it('processes unseen mail found at start (not old read mail), then new mail pushed by IDLE', async () => {
    await dovecot.append(mail({ from: 'old@loja.com.br', subject: 'Lida há tempos', text: 'velha' }), {
      flags: ['\\Seen'],
    });
    await dovecot.append(
      mail({ from: 'Ana Lima <Ana.Lima@Loja.com.br>', subject: 'Cama quebrada', text: 'A cama veio quebrada.' }),
    );
    const sink = new FakeSink();
    const logins = dovecot.logins();
    const a = adapter({ mailbox: 'INBOX' });
    expect(a.name).toBe('email');
    await a.start(sink.handle);
    expect(a.status().state).toBe('up');
    expect(dovecot.logins()).toBeGreaterThan(logins);
    await sink.waitFor(1);
    expect(sink.items[0]).toMatchObject({
      channel: 'email',
      address: 'ana.lima@loja.com.br',
      displayName: 'Ana Lima',
      text: 'A cama veio quebrada.',
      attachments: [],
      thread: { subject: 'Cama quebrada' },
    });
    expect(sink.items[0]?.externalId).toMatch(/^<[0-9a-f]+@cliente\.test>$/);
    await waitUntil('\\Seen', async () => (await flagsOf('INBOX', 'Cama quebrada')).includes('\\Seen'));

    // The poll is 30 s away: a mail within seconds can only come through IDLE.
    await sleep(2500);
    const t0 = Date.now();
    await dovecot.append(mail({ from: 'bia@loja.com.br', subject: 'Durante o IDLE', text: 'Chegou agora.' }));
    await sink.waitFor(2, 8000);
    expect(Date.now() - t0).toBeLessThan(8000);
    expect(sink.items[1]?.text).toBe('Chegou agora.');
    expect(sink.calls).toBe(2);
  }, 40_000);

  it('at the first start leaves unseen mail older than EMAIL_FIRST_SYNC_DAYS for people', async () => {
    const now = new Date();
    const daysAgo = (n: number) => new Date(now.getTime() - n * 86_400_000);
    await dovecot.ensureMailbox('Backlog');
    const put = (subject: string, arrived: Date) =>
      dovecot.append(mail({ from: 'g@loja.com.br', subject, text: subject }), { mailbox: 'Backlog', arrived });
    await put('Esquecida há um mês', daysAgo(30));
    await put('De semana passada', daysAgo(8));
    await put('De anteontem', daysAgo(2));
    await put('De hoje', now);
    const sink = new FakeSink();
    await adapter({ mailbox: 'Backlog', firstSyncDays: 3 }).start(sink.handle);
    await sink.waitFor(2);
    await sleep(1000);
    expect(sink.items.map((i) => i.text)).toEqual(['De anteontem', 'De hoje']);
    // Left as they were: unseen, for the team to read.
    expect(await flagsOf('Backlog', 'Esquecida há um mês')).not.toContain('\\Seen');
    expect(await flagsOf('Backlog', 'De semana passada')).not.toContain('\\Seen');
    // Mail arriving later is processed as usual.
    await dovecot.append(mail({ from: 'g@loja.com.br', subject: 'Nova', text: 'Nova' }), { mailbox: 'Backlog' });
    await sink.waitFor(3, 8000);
    expect(sink.items[2]?.text).toBe('Nova');
  }, 40_000);

  it('after a restart nothing is reprocessed and mail that came meanwhile is processed', async () => {
    await dovecot.ensureMailbox('Restart');
    const state = memoryKv();
    const sink = new FakeSink();
    const first = adapter({ mailbox: 'Restart', state });
    await first.start(sink.handle);
    await dovecot.append(mail({ from: 'c@loja.com.br', subject: 'Primeira', text: 'um' }), { mailbox: 'Restart' });
    await sink.waitFor(1);
    await first.stop();

    // Unmark it: only the stored cursor can now tell it was handled.
    const c = await dovecot.client();
    await c.mailboxOpen('Restart');
    await c.messageFlagsRemove('1:*', ['\\Seen']);
    await c.logout();
    await dovecot.append(mail({ from: 'c@loja.com.br', subject: 'Segunda', text: 'dois' }), { mailbox: 'Restart' });

    const second = adapter({ mailbox: 'Restart', state });
    await second.start(sink.handle);
    await sink.waitFor(2);
    await sleep(1500);
    expect(sink.calls).toBe(2);
    expect(sink.items.map((i) => i.text)).toEqual(['um', 'dois']);
    expect([...state.data.values()]).toEqual([{ uidValidity: expect.any(String), lastUid: 2 }]);
  }, 40_000);

  it('a new UIDVALIDITY (mailbox recreated) rescans: no duplicate stored, nothing lost', async () => {
    await dovecot.ensureMailbox('Recreated');
    const sink = new FakeSink();
    const a = adapter({ mailbox: 'Recreated', pollIntervalMs: 1000 });
    await a.start(sink.handle);
    const m1 = mail({ from: 'd@loja.com.br', subject: 'R1', text: 'r1' });
    await dovecot.append(m1, { mailbox: 'Recreated' });
    await dovecot.append(mail({ from: 'd@loja.com.br', subject: 'R2', text: 'r2' }), { mailbox: 'Recreated' });
    await sink.waitFor(2);

    await dovecot.recreate('Recreated');
    await dovecot.append(m1, { mailbox: 'Recreated' }); // restored from a backup: same mail, new UID
    await dovecot.append(mail({ from: 'd@loja.com.br', subject: 'R3', text: 'r3' }), { mailbox: 'Recreated' });
    await sink.waitFor(3, 20_000);
    await waitUntil('the restored mail offered again', () => sink.calls >= 4, 10_000);
    expect(sink.items.map((i) => i.text)).toEqual(['r1', 'r2', 'r3']);
    expect(sink.duplicates).toBe(1);
    await waitUntil('R3 seen', async () => (await flagsOf('Recreated', 'R3')).includes('\\Seen'));
  }, 60_000);

  it('translates real-world mail: text, HTML, quotes, signatures, attachments, sizes, junk', async () => {
    const MB = 1024 * 1024;
    await dovecot.ensureMailbox('Content');
    const put = (raw: Buffer | string) => dovecot.append(raw, { mailbox: 'Content' });
    const logo = Buffer.alloc(3000, 7);
    await put(mail({ from: 'p@loja.com.br', subject: 'Plain', text: 'Só texto.\nSegunda linha.' }));
    await put(
      mail({
        from: 'h@loja.com.br',
        subject: 'HTML only',
        html: '<html><head><style>.x{color:red}</style><script>alert("xss")</script></head><body><p>Olá, <b>a porta</b> veio riscada.</p><script>document.write("nope")</script><img src="http://tracker.example/p.png" alt="pixel"><p><a href="http://phish.example">clique</a></p></body></html>',
      }),
    );
    await put(fixture('gmail-reply-ptbr.eml'));
    await put(fixture('outlook-reply-ptbr.eml'));
    await put(fixture('iphone-photo-ptbr.eml'));
    await put(
      mail({
        from: 'f@loja.com.br',
        subject: 'Fotos',
        text: 'Seguem as fotos.',
        html: '<p>Seguem as fotos.</p><img src="cid:foto1"><img src="cid:logo">',
        related: [
          { contentType: 'image/jpeg', filename: 'foto-inline.jpg', data: PHOTO, disposition: 'inline', cid: 'foto1' },
          { contentType: 'image/png', filename: 'image001.png', data: logo, disposition: 'inline', cid: 'logo' },
        ],
        attachments: [{ contentType: 'image/jpeg', filename: 'lateral.jpg', data: PHOTO }],
      }),
    );
    await put(
      mail({
        from: 'g@loja.com.br',
        subject: 'Gigante',
        text: 'Vídeo da montagem em anexo.',
        attachments: [{ contentType: 'video/mp4', filename: 'montagem.mp4', data: randomBytes(30 * MB) }],
      }),
    );
    await put(
      mail({
        from: 'g@loja.com.br',
        subject: 'Grande',
        text: 'Foto grande.',
        attachments: [
          { contentType: 'image/jpeg', filename: 'grande.jpg', data: randomBytes(3 * MB) },
          { contentType: 'image/jpeg', filename: 'ok.jpg', data: PHOTO },
        ],
      }),
    );
    await put(
      mail({
        from: 'i@loja.com.br',
        subject: 'Ignorados',
        text: 'Convite e cartão.',
        attachments: [
          {
            contentType: 'text/calendar',
            filename: 'reuniao.ics',
            data: Buffer.from('BEGIN:VCALENDAR\r\nEND:VCALENDAR'),
          },
          { contentType: 'text/vcard', filename: 'joao.vcf', data: Buffer.from('BEGIN:VCARD\r\nEND:VCARD') },
          { contentType: 'application/pkcs7-signature', filename: 'smime.p7s', data: randomBytes(2000) },
          { contentType: 'application/pdf', filename: 'nota.pdf', data: Buffer.from('%PDF-1.4\n%fake\n') },
        ],
      }),
    );
    // Malformed: a boundary that never closes, broken base64, an unknown charset, a header without colon.
    await put(
      [
        'From: m@loja.com.br',
        'Subject: Malformada',
        'Message-ID: <malformed-1@cliente.test>',
        'Header sem dois pontos',
        'Content-Type: multipart/mixed; boundary="abc"',
        '',
        '--abc',
        'Content-Type: text/plain; charset=x-inexistente',
        '',
        'Texto que dá para ler.',
        '--abc',
        'Content-Type: image/jpeg',
        'Content-Transfer-Encoding: base64',
        '',
        '@@@not base64!!!',
        '',
      ].join('\r\n'),
    );
    // Nesting postal-mime refuses to parse: the headers and the readable text are kept.
    const depth = 300;
    let nested = 'Content-Type: text/plain\r\n\r\nTexto no fundo.\r\n';
    for (let i = 0; i < depth; i++)
      nested = `Content-Type: multipart/mixed; boundary="n${i}"\r\n\r\n--n${i}\r\n${nested}--n${i}--\r\n`;
    await put(`From: n@loja.com.br\r\nSubject: Aninhada\r\nMessage-ID: <nested-1@cliente.test>\r\n${nested}`);
    await put(mail({ from: 'sem-id@loja.com.br', subject: 'Sem Message-ID', text: 'sem id', messageId: null }));
    // Machines: never answered.
    await put(
      mail({
        from: 'ana@loja.com.br',
        subject: 'Férias',
        text: 'Estou de férias.',
        headers: ['Auto-Submitted: auto-replied'],
      }),
    );
    await put(mail({ from: 'ana@loja.com.br', subject: 'Ausente', text: 'Fora.', headers: ['X-Autoreply: yes'] }));
    await put(mail({ from: 'news@fornecedor.com', subject: 'Promo', text: 'Oferta!', headers: ['Precedence: bulk'] }));
    await put(mail({ from: 'lista@grupo.com', subject: 'Lista', text: 'oi', headers: ['List-Id: <grupo.com>'] }));
    await put(mail({ from: 'x@loja.com.br', subject: 'Nulo', text: 'nulo', headers: ['Return-Path: <>'] }));
    await put(mail({ from: `Posvenda <${OWN}>`, subject: 'Nossa própria', text: 'cópia' }));
    await put(
      [
        'From: Mail Delivery System <MAILER-DAEMON@mx.loja.com.br>',
        'Subject: Undelivered Mail Returned to Sender',
        'Message-ID: <bounce-1@mx.loja.com.br>',
        'Content-Type: multipart/report; report-type=delivery-status; boundary="r"',
        '',
        '--r',
        'Content-Type: text/plain',
        '',
        'I am sorry to have to inform you that your message could not be delivered.',
        '--r',
        'Content-Type: message/delivery-status',
        '',
        'Final-Recipient: rfc822; nobody@loja.com.br',
        'Status: 5.1.1',
        '--r--',
        '',
      ].join('\r\n'),
    );
    await put(mail({ from: 'z@loja.com.br', subject: 'Fim', text: 'última' }));

    const sink = new FakeSink();
    const a = adapter({ mailbox: 'Content', maxAttachmentBytes: 2 * MB });
    await a.start(sink.handle);
    await waitUntil('the last mail', () => sink.items.some((i) => i.thread?.subject === 'Fim'), 45_000);

    expect(sink.bySubject('Plain').text).toBe('Só texto.\nSegunda linha.');
    const html = sink.bySubject('HTML only').text;
    expect(html).toContain('Olá, a porta veio riscada.');
    expect(html).toContain('clique');
    expect(html).not.toMatch(/alert|xss|document\.write|nope|color:red|tracker|phish|http/);

    const gmail = sink.bySubject('[AT-000012] Assistência Técnica');
    expect(gmail).toMatchObject({
      address: 'joao.silva@gmail.com',
      displayName: 'João Silva',
      text: 'Sim, pode registrar. A nota é 123456.',
      thread: {
        conversationId: CONV,
        protocol: 'AT-000012',
        messageId: '<CAFx3kQ9Zr5w2p+8y1YVn=qF0LrT3u@mail.gmail.com>',
        references: ['<ev.first.1@gmail.com>', `<o12.${CONV}@posvenda.test>`],
      },
    });
    const outlook = sink.bySubject('[AT-000034] Assistência Técnica');
    expect(outlook.text).toBe('Bom dia,\n\nA peça veio com a lateral quebrada, segue foto.');
    expect(outlook.thread).toMatchObject({ conversationId: CONV, protocol: 'AT-000034' });
    const iphone = sink.bySubject('Assistência Técnica');
    expect(iphone.text).toBe('Segue a foto do puxador solto.');
    expect(iphone.attachments).toHaveLength(1);
    expect(iphone.attachments[0]?.bytes.equals(PHOTO)).toBe(true);

    const fotos = sink.bySubject('Fotos');
    expect(fotos.attachments.map((x) => x.filename).sort()).toEqual(['foto-inline.jpg', 'lateral.jpg']);
    for (const x of fotos.attachments) {
      expect(x.contentType).toBe('image/jpeg');
      expect(x.bytes.equals(PHOTO)).toBe(true);
    }

    const huge = sink.bySubject('Gigante');
    expect(huge.text).toBe('Vídeo da montagem em anexo.');
    expect(huge.attachments).toEqual([]);
    expect(huge.refused).toEqual({ tooLarge: 1, notImage: 0 });
    const big = sink.bySubject('Grande');
    expect(big.refused).toEqual({ tooLarge: 1, notImage: 0 });
    expect(big.attachments.map((x) => x.filename)).toEqual(['ok.jpg']);

    const ignored = sink.bySubject('Ignorados');
    expect(ignored.attachments.map((x) => x.filename)).toEqual(['nota.pdf']);
    expect(ignored.refused).toBeUndefined();

    expect(sink.bySubject('Malformada').text).toContain('Texto que dá para ler.');
    expect(sink.bySubject('Aninhada')).toMatchObject({
      address: 'n@loja.com.br',
      externalId: '<nested-1@cliente.test>',
    });
    expect(sink.bySubject('Aninhada').text).toContain('Texto no fundo.');
    expect(sink.bySubject('Sem Message-ID').externalId).toMatch(/^sha256:[0-9a-f]{64}$/);

    const subjects = sink.items.map((i) => i.thread?.subject);
    for (const s of [
      'Férias',
      'Ausente',
      'Promo',
      'Lista',
      'Nulo',
      'Nossa própria',
      'Undelivered Mail Returned to Sender',
    ]) {
      expect(subjects).not.toContain(s);
    }
    expect(sink.calls).toBe(sink.items.length);
    for (const i of sink.items) expect(i.thread).toBeDefined();
    // Everything is marked, the machines' mail too, so nothing is fetched twice.
    await waitUntil('all seen', async () =>
      (await dovecot.messages('Content')).every((m) => m.flags.includes('\\Seen')),
    );
  }, 90_000);

  it('a sink failure leaves the mail unmarked and it is delivered on a later pass', async () => {
    await dovecot.ensureMailbox('Flaky');
    const sink = new FakeSink();
    let failuresLeft = 2;
    const flaky = async (m: Inbound) => {
      if (failuresLeft-- > 0) throw new Error('database is down');
      return sink.handle(m);
    };
    const a = adapter({ mailbox: 'Flaky', pollIntervalMs: 1000 });
    await a.start(flaky);
    await dovecot.append(mail({ from: 'f@loja.com.br', subject: 'Instável', text: 'tente de novo' }), {
      mailbox: 'Flaky',
    });
    await waitUntil('two failed attempts', () => failuresLeft <= 0);
    expect(await flagsOf('Flaky', 'Instável')).not.toContain('\\Seen');
    await sink.waitFor(1);
    expect(sink.items[0]?.text).toBe('tente de novo');
    await waitUntil('seen', async () => (await flagsOf('Flaky', 'Instável')).includes('\\Seen'));
  }, 30_000);

  it('reconnects after the server drops the session: status down, then up, mail that came meanwhile processed', async () => {
    await dovecot.ensureMailbox('Kicked');
    const sink = new FakeSink();
    const a = adapter({ mailbox: 'Kicked' });
    await a.start(sink.handle);
    expect(a.status().state).toBe('up');
    dovecot.kick();
    await waitUntil('down', () => a.status().state === 'down', 5000);
    await dovecot.append(mail({ from: 'k@loja.com.br', subject: 'Após queda', text: 'voltou' }), { mailbox: 'Kicked' });
    await waitUntil('up again', () => a.status().state === 'up', 10_000);
    await sink.waitFor(1);
    expect(sink.items[0]?.text).toBe('voltou');
  }, 30_000);

  it('moves processed mail when asked to', async () => {
    await dovecot.ensureMailbox('MoveIn');
    const sink = new FakeSink();
    const a = adapter({ mailbox: 'MoveIn', processed: { moveTo: 'Processados' } });
    await a.start(sink.handle);
    await dovecot.append(mail({ from: 'e@loja.com.br', subject: 'Mover', text: 'mova' }), { mailbox: 'MoveIn' });
    await sink.waitFor(1);
    await waitUntil('moved', async () => (await dovecot.messages('MoveIn')).length === 0);
    const moved = await dovecot.messages('Processados');
    expect(moved).toHaveLength(1);
    expect(moved[0]?.flags).toContain('\\Seen');
  }, 30_000);

  it('sends threaded replies with numbered options; maps SMTP failures; a reply finds its conversation', async () => {
    await dovecot.ensureMailbox('Replies');
    const sink = new FakeSink();
    const a = adapter({ mailbox: 'Replies' });
    await a.start(sink.handle);
    const before = smtp.mails.length;
    const msg: OutboundMessage = {
      outboxId: 77,
      address: 'ana@loja.com.br',
      text: 'Confirma o registro da assistência?',
      options: ['Sim', 'Não'],
      conversationId: CONV,
      thread: {
        subject: '[AT-000012] Assistência Técnica',
        inReplyTo: '<c2@loja.com.br>',
        references: ['<c1@loja.com.br>', '<c2@loja.com.br>'],
      },
    };
    const res = await a.send(msg);
    expect(res.externalId).toBe(`<o77.${CONV}@posvenda.test>`);
    const sent = (await smtp.waitFor(before + 1))[before];
    if (!sent) throw new Error('nothing captured');
    expect(sent.user).toBe(dovecot.user);
    expect(sent.envelope.to).toEqual(['ana@loja.com.br']);
    expect(sent.parsed.from).toMatchObject({ address: OWN, name: 'Posvenda Assistência' });
    expect(sent.parsed.subject).toBe('Re: [AT-000012] Assistência Técnica');
    expect(sent.parsed.messageId).toBe(`<o77.${CONV}@posvenda.test>`);
    expect(sent.parsed.inReplyTo).toBe('<c2@loja.com.br>');
    expect(sent.parsed.references).toBe('<c1@loja.com.br> <c2@loja.com.br>');
    expect(sent.header('auto-submitted')).toBe('auto-replied');
    expect(sent.parsed.text).toContain(
      'Confirma o registro da assistência?\n\nResponda com o número ou o texto da opção:\n1. Sim\n2. Não',
    );
    expect(sent.parsed.html).toContain('<li>Sim</li>');

    // The customer answers that mail: In-Reply-To leads back to the conversation.
    await dovecot.append(
      mail({
        from: 'ana@loja.com.br',
        subject: `Re: ${sent.parsed.subject}`,
        text: `1\n\nEm 02/03/2026 10:15, ${OWN} escreveu:\n> ${sent.parsed.text?.split('\n').join('\n> ')}`,
        headers: [`In-Reply-To: ${sent.parsed.messageId}`, `References: <c1@loja.com.br> ${sent.parsed.messageId}`],
      }),
      { mailbox: 'Replies' },
    );
    await sink.waitFor(1);
    expect(sink.items[0]).toMatchObject({ text: '1', thread: { conversationId: CONV, protocol: 'AT-000012' } });

    smtp.fail(1, 550);
    await expect(a.send({ ...msg, outboxId: 78 })).rejects.toMatchObject({ name: 'ChannelSendError', permanent: true });
    smtp.fail(1, 451);
    await expect(a.send({ ...msg, outboxId: 79 })).rejects.toMatchObject({
      name: 'ChannelSendError',
      permanent: false,
    });
    await smtp.down();
    await expect(a.send({ ...msg, outboxId: 80 })).rejects.toMatchObject({
      name: 'ChannelSendError',
      permanent: false,
    });
    await smtp.up();
    await expect(a.send({ ...msg, outboxId: 81 })).resolves.toEqual({ externalId: `<o81.${CONV}@posvenda.test>` });
  }, 60_000);

  it('keeps retrying when IMAP is unreachable and reports it', async () => {
    const a = createEmailAdapter({
      imap: { host: '127.0.0.1', port: 1, secure: false, mailbox: 'INBOX' },
      smtp: { host: '127.0.0.1', port: 1, secure: false },
      from: OWN,
      state: memoryKv(),
      log,
      maxAttachmentBytes: 1024,
      processed: 'flag',
    });
    adapters.push(a);
    await a.start(new FakeSink().handle);
    expect(a.status()).toMatchObject({ state: 'down', detail: expect.stringContaining('IMAP') });
  });
});
