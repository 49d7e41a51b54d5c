import type { OutboundMessage } from '../types';
import { formatOwnMessageId } from './own-message-id';

/** What goes into one outgoing mail (nodemailer fields). */
export interface RenderedMail {
  subject: string;
  messageId: string;
  text: string;
  html: string;
  inReplyTo?: string;
  references?: string[];
  headers: Record<string, string>;
}

/** The line above the numbered options; its colon also tells mail readers a list of choices follows. */
export const OPTIONS_PROMPT = 'Responda com o número ou o texto da opção:';
const DEFAULT_SUBJECT = 'Assistência Técnica';

/**
 * Render an outbound message as a mail: subject from the thread (`Re: ` when answering the
 * customer's mail), our Message-ID (`<o{outboxId}.{conversationId}@{domain}>`, parsed back from
 * replies), threading headers, options as a numbered list in the text (mail has no buttons), a
 * simple escaped HTML twin without external resources.
 */
export function renderOutboundMail(msg: OutboundMessage, domain: string): RenderedMail {
  const base = msg.thread?.subject?.trim() || DEFAULT_SUBJECT;
  const inReplyTo = msg.thread?.inReplyTo;
  const subject = inReplyTo && !/^\s*(re|res)\s*:/i.test(base) ? `Re: ${base}` : base;
  const options = (msg.options ?? []).map((o) => o.trim()).filter(Boolean);
  const body = msg.text.replace(/\r\n?/g, '\n').trim();
  const list = options.map((o, i) => `${i + 1}. ${o}`).join('\n');
  const text = options.length ? `${body}\n\n${OPTIONS_PROMPT}\n${list}\n` : `${body}\n`;
  const paragraphs = body
    .split(/\n{2,}/)
    .map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`)
    .join('\n');
  const htmlOptions = options.length
    ? `\n<p>${escapeHtml(OPTIONS_PROMPT)}</p>\n<ol>${options.map((o) => `<li>${escapeHtml(o)}</li>`).join('')}</ol>`
    : '';
  const html = `<!doctype html>\n<html><head><meta charset="utf-8"></head><body style="font-family:Arial,Helvetica,sans-serif;font-size:14px">\n${paragraphs}${htmlOptions}\n</body></html>\n`;
  const references = [...new Set([...(msg.thread?.references ?? []), ...(inReplyTo ? [inReplyTo] : [])])];
  const rendered: RenderedMail = {
    subject,
    messageId: formatOwnMessageId(msg.outboxId, msg.conversationId, domain),
    text,
    html,
    headers: {
      // RFC 3834: tells vacation responders and other robots not to answer us (no mail loops).
      'Auto-Submitted': inReplyTo ? 'auto-replied' : 'auto-generated',
      // Exchange/Outlook honour this instead: no out-of-office or read receipts back to the bot.
      'X-Auto-Response-Suppress': 'All',
    },
  };
  if (inReplyTo) rendered.inReplyTo = inReplyTo;
  if (references.length) rendered.references = references;
  return rendered;
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
