// Unit tests (no server) for Message-ID/protocol/subject parsing, the auto-reply rules, outbound
// rendering and SMTP error mapping; they would sit in test/unit/channels/email/ otherwise.
import { autoReplyReason, type MailHeader } from '../../../../src/channels/email/auto-reply-reason';
import {
  cleanSubject,
  findProtocol,
  inboundThread,
  parseMessageIds,
} from '../../../../src/channels/email/inbound-thread';
import { fixMojibake } from '../../../../src/channels/email/mail-to-inbound';
import { formatOwnMessageId, parseOwnMessageId } from '../../../../src/channels/email/own-message-id';
import { OPTIONS_PROMPT, renderOutboundMail } from '../../../../src/channels/email/render-outbound-mail';
import { toChannelSendError } from '../../../../src/channels/email/smtp-sender';

const CONV = '5f0c6a7e-8d1b-4c2a-9e3f-0a1b2c3d4e5f';

describe('own Message-IDs', () => {
  it('round-trips outbox id and conversation id', () => {
    const id = formatOwnMessageId(42, CONV, 'posvenda.test');
    expect(id).toBe(`<o42.${CONV}@posvenda.test>`);
    expect(parseOwnMessageId(id)).toEqual({ outboxId: 42, conversationId: CONV });
  });
  it('handles a message without conversation, upper case and other domains', () => {
    expect(parseOwnMessageId(formatOwnMessageId(7, null, 'x.com'))).toEqual({ outboxId: 7, conversationId: null });
    expect(parseOwnMessageId(`<o9.${CONV.toUpperCase()}@mail.other.com>`)?.conversationId).toBe(CONV);
  });
  it('rejects other ids', () => {
    for (const id of [
      '<CAFx3kQ@mail.gmail.com>',
      `<o.${CONV}@x>`,
      `<ox1.${CONV}@x>`,
      `o1.${CONV}@x`,
      '<o1.1234@x>',
      '',
    ]) {
      expect(parseOwnMessageId(id)).toBeUndefined();
    }
  });
});

describe('subject and protocol', () => {
  it.each([
    ['Re: Assistência Técnica', 'Assistência Técnica'],
    ['RES: RES: [AT-000012] Cama quebrada', '[AT-000012] Cama quebrada'],
    ['ENC: Fwd: FW: Porta', 'Porta'],
    ['Re[2]: Gaveta', 'Gaveta'],
    ['  AW:  Tisch ', 'Tisch'],
    ['Resumo da nota', 'Resumo da nota'],
    ['', ''],
  ])('cleanSubject(%j) = %j', (input, out) => {
    expect(cleanSubject(input)).toBe(out);
  });
  it.each([
    ['Re: [AT-000012] Assistência', 'AT-000012'],
    ['protocolo at-000123 ainda aberto', 'AT-000123'],
    ['AT-0001234', 'AT-0001234'],
    ['PAT-000012', undefined],
    ['AT-12', undefined],
    ['Assistência técnica', undefined],
  ])('findProtocol(%j) = %j', (input, out) => {
    expect(findProtocol(input)).toBe(out);
  });
});

describe('inboundThread', () => {
  it('references + in-reply-to, deduped, oldest first; our conversation from the newest own id', () => {
    const other = '11111111-2222-4333-8444-555555555555';
    const t = inboundThread({
      messageId: '<new@gmail.com>',
      subject: 'Re: [AT-000012] Assistência Técnica',
      references: `<a@x> <o1.${other}@posvenda.test>\r\n <b@x>`,
      inReplyTo: `<o5.${CONV}@posvenda.test>`,
    });
    expect(t).toEqual({
      messageId: '<new@gmail.com>',
      subject: '[AT-000012] Assistência Técnica',
      references: ['<a@x>', `<o1.${other}@posvenda.test>`, '<b@x>', `<o5.${CONV}@posvenda.test>`],
      conversationId: CONV,
      protocol: 'AT-000012',
    });
  });
  it('is empty for a new mail without headers', () => {
    expect(inboundThread({})).toEqual({});
  });
  it('parses Message-ID lists', () => {
    expect(parseMessageIds('<a@b> junk <c@d>')).toEqual(['<a@b>', '<c@d>']);
    expect(parseMessageIds(undefined)).toEqual([]);
  });
});

describe('autoReplyReason', () => {
  const own = {
    address: 'posvenda@posvenda.test',
    isOwnMessageId: (id: string) => parseOwnMessageId(id) !== undefined,
  };
  const h = (...pairs: [string, string][]): MailHeader[] => pairs.map(([key, value]) => ({ key, value }));
  it.each([
    [h(['auto-submitted', 'auto-replied']), 'ana@x.com', ''],
    [h(['auto-submitted', 'auto-generated; type=vacation']), 'ana@x.com', ''],
    [h(['x-autoreply', 'yes']), 'ana@x.com', ''],
    [h(['x-autorespond', 'vacation']), 'ana@x.com', ''],
    [h(['precedence', 'bulk']), 'ana@x.com', ''],
    [h(['precedence', 'auto_reply']), 'ana@x.com', ''],
    [h(['list-id', '<lista.x.com>']), 'ana@x.com', ''],
    [h(['content-type', 'multipart/report; report-type=delivery-status; boundary=x']), 'ana@x.com', ''],
    [h(['return-path', '<>']), 'ana@x.com', ''],
    [h(), 'MAILER-DAEMON@mx.x.com', ''],
    [h(), 'postmaster@x.com', ''],
    [h(), 'posvenda@posvenda.test', ''],
    [h(['message-id', `<o3.${CONV}@posvenda.test>`]), 'ana@x.com', ''],
    [h(), 'ana@x.com', 'Resposta automática: Assistência Técnica'],
    [h(), 'ana@x.com', 'Automatic reply: Assistência'],
  ])('skips %j from %s %s', (headers, from, subject) => {
    expect(autoReplyReason({ headers, from, subject }, own)).toBeDefined();
  });
  it('lets a person through', () => {
    const headers = h(['auto-submitted', 'no'], ['precedence', 'normal'], ['return-path', '<ana@x.com>']);
    expect(autoReplyReason({ headers, from: 'ana@x.com', subject: 'Re: Cama quebrada' }, own)).toBeUndefined();
  });
});

describe('renderOutboundMail', () => {
  it('answers in the thread with options as a numbered list and escaped HTML', () => {
    const m = renderOutboundMail(
      {
        outboxId: 9,
        address: 'ana@x.com',
        text: 'Confirma o registro <já>?',
        options: ['Sim', 'Não'],
        conversationId: CONV,
        thread: { subject: '[AT-000012] Cama', inReplyTo: '<c2@x>', references: ['<c1@x>'] },
      },
      'posvenda.test',
    );
    expect(m.subject).toBe('Re: [AT-000012] Cama');
    expect(m.messageId).toBe(`<o9.${CONV}@posvenda.test>`);
    expect(m.text).toBe(`Confirma o registro <já>?\n\n${OPTIONS_PROMPT}\n1. Sim\n2. Não\n`);
    expect(m.html).toContain('Confirma o registro &lt;já&gt;?');
    expect(m.html).toContain('<ol><li>Sim</li><li>Não</li></ol>');
    expect(m.html).not.toMatch(/src=|href=|<script/i);
    expect(m.inReplyTo).toBe('<c2@x>');
    expect(m.references).toEqual(['<c1@x>', '<c2@x>']);
    expect(m.headers['Auto-Submitted']).toBe('auto-replied');
  });
  it('defaults: subject, no Re: twice, no conversation', () => {
    const base = { outboxId: 1, address: 'a@x.com', text: 'Olá', conversationId: null };
    expect(renderOutboundMail(base, 'd.com').subject).toBe('Assistência Técnica');
    expect(renderOutboundMail(base, 'd.com').messageId).toBe('<o1.none@d.com>');
    expect(renderOutboundMail(base, 'd.com').headers['Auto-Submitted']).toBe('auto-generated');
    const re = { ...base, thread: { subject: 'RES: Cama', inReplyTo: '<x@y>', references: [] } };
    expect(renderOutboundMail(re, 'd.com').subject).toBe('RES: Cama');
    expect(renderOutboundMail(base, 'd.com').text).toBe('Olá\n');
  });
});

describe('toChannelSendError', () => {
  const err = (o: Record<string, unknown>) => Object.assign(new Error('x'), o);
  it('5xx about the recipient or message is permanent', () => {
    expect(toChannelSendError(err({ code: 'EENVELOPE', responseCode: 550, command: 'RCPT TO' })).permanent).toBe(true);
    expect(toChannelSendError(err({ code: 'EMESSAGE', responseCode: 554 })).permanent).toBe(true);
    expect(toChannelSendError(err({ code: 'EENVELOPE' })).permanent).toBe(true);
  });
  it('4xx, connection, timeout and auth errors are retried', () => {
    expect(toChannelSendError(err({ code: 'EENVELOPE', responseCode: 450 })).permanent).toBe(false);
    expect(toChannelSendError(err({ code: 'ESOCKET' })).permanent).toBe(false);
    expect(toChannelSendError(err({ code: 'ECONNECTION' })).permanent).toBe(false);
    expect(toChannelSendError(err({ code: 'EAUTH', responseCode: 535 })).permanent).toBe(false);
    expect(toChannelSendError('weird').permanent).toBe(false);
  });
});

describe('fixMojibake', () => {
  it('re-decodes UTF-8 that was read as Latin-1', () => {
    expect(fixMojibake('A peÃ§a nÃ£o chegou, estÃ¡ faltando.')).toBe('A peça não chegou, está faltando.');
  });
  it('leaves real text alone', () => {
    for (const t of ['A peça não chegou.', 'NÃO', 'Preço: 10 €', 'plain ascii']) expect(fixMojibake(t)).toBe(t);
  });
});
