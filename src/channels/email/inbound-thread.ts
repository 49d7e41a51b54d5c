import type { InboundThread } from '../types';
import { parseOwnMessageId } from './own-message-id';

/** Every `<…>` Message-ID in a header value, in order. */
export function parseMessageIds(value: string | undefined): string[] {
  if (!value) return [];
  return value.match(/<[^<>\s]+>/g) ?? [];
}

// Reply/forward prefixes of the clients our customers use: Re, Res (Outlook pt-BR), Enc (forward pt-BR),
// Fw/Fwd, Ref, Aw/Wg (German clients), possibly repeated ("RES: RES: Re:") or counted ("Re[2]:").
const PREFIX = /^\s*(re|res|ref|fw|fwd|enc|encaminhado|aw|wg|tr|rv)\s*(\[\d+\])?\s*:\s*/i;

/** The subject without Re:/Fwd:/RES:/ENC: prefixes (repeated ones too). */
export function cleanSubject(subject: string | undefined): string {
  let s = (subject ?? '').replace(/\s+/g, ' ').trim();
  for (let m = PREFIX.exec(s); m; m = PREFIX.exec(s)) s = s.slice(m[0].length);
  return s.trim();
}

/** A request protocol in the subject (`[AT-000123]` or `AT-000123`), normalised to upper case. */
export function findProtocol(subject: string | undefined): string | undefined {
  const m = /(?:^|[^A-Za-z0-9])AT-(\d{6,9})(?![0-9])/i.exec(subject ?? '');
  return m?.[1] ? `AT-${m[1]}` : undefined;
}

/**
 * The threading part of an inbound mail: its Message-ID, the subject without prefixes, the
 * References + In-Reply-To (deduped, oldest first), our conversation when any of those is one of
 * our Message-IDs (the newest wins), and a protocol found in the subject.
 */
export function inboundThread(h: {
  messageId?: string;
  subject?: string;
  references?: string;
  inReplyTo?: string;
}): InboundThread {
  const refs: string[] = [];
  // In-Reply-To is the direct parent: the newest, so it goes last.
  for (const id of [...parseMessageIds(h.references), ...parseMessageIds(h.inReplyTo)]) {
    if (!refs.includes(id)) refs.push(id);
  }
  const thread: InboundThread = {};
  const messageId = parseMessageIds(h.messageId)[0];
  if (messageId) thread.messageId = messageId;
  const subject = cleanSubject(h.subject);
  if (subject) thread.subject = subject;
  if (refs.length) thread.references = refs;
  for (let i = refs.length - 1; i >= 0; i--) {
    const own = parseOwnMessageId(refs[i] ?? '');
    if (own?.conversationId) {
      thread.conversationId = own.conversationId;
      break;
    }
  }
  const protocol = findProtocol(h.subject);
  if (protocol) thread.protocol = protocol;
  return thread;
}
