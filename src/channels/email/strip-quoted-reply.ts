/**
 * Cut quoted history and signatures out of an e-mail body, so only what the customer wrote now
 * reaches understanding (CONTRACT §5: "quoted text and signatures are ignored").
 *
 * Deliberately conservative: every rule needs an unmistakable marker, because losing the
 * customer's words is worse than keeping a signature line. Forwarded mail ("Mensagem
 * encaminhada", "Forwarded message") is NOT cut: a store often forwards the end customer's
 * complaint, and that text is the request.
 */
export function stripQuotedReply(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const cut = quoteStart(lines);
  const own = lines.slice(0, cut).filter((l) => !/^\s*>/.test(l));
  const withoutSig = stripSignature(own);
  // A message that is nothing but a valediction ("Obrigado,\nJoão") is still the customer's answer.
  const body = withoutSig.some((l) => l.trim()) ? withoutSig : own;
  return tidy(body);
}

// "Em seg., 1 de jan. de 2024 às 10:00, Fulano <f@x.com> escreveu:" (Gmail pt-BR),
// "Em 1 de jan. de 2024, à(s) 10:00, Fulano <f@x.com> escreveu:" (Apple Mail pt-BR),
// "No dia 01/02/2024, às 10:00, Fulano escreveu:" (pt-PT), "On Mon, Jan 1, 2024 at 10:00 AM X <x@y> wrote:".
const ATTRIBUTION = /^\s*(em|on|no dia|le|el|am)\s.{0,300}\b(escreveu|wrote|a écrit|escribió|schrieb)\s*:\s*$/i;
const ORIGINAL_MESSAGE = /^\s*-{2,}\s*(original message|mensagem original|mensaje original)\s*-{2,}\s*$/i;
const UNDERSCORES = /^\s*_{10,}\s*$/;
const HEADER_FROM = /^\s*\*?(de|from)\s*:\*?\s+\S/i;
const HEADER_SENT = /^\s*\*?(enviado|enviada|enviado em|enviada em|sent|date|data)\s*:\*?\s+\S/i;
const HEADER_SUBJECT = /^\s*\*?(assunto|subject)\s*:\*?/i;

/** Index of the first line of quoted history (attribution, Outlook header block), or lines.length. */
function quoteStart(lines: string[]): number {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (ORIGINAL_MESSAGE.test(line)) return i;
    if (ATTRIBUTION.test(line)) return i;
    // Gmail wraps long attributions: "On Mon, … John Doe <\njohn@example.com> wrote:".
    const next = lines[i + 1];
    if (next !== undefined && /^\s*(em|on|no dia)\s/i.test(line) && ATTRIBUTION.test(`${line} ${next}`)) return i;
    if (HEADER_FROM.test(line) && isOutlookHeader(lines, i)) {
      // Outlook puts a line of underscores right above "De:"; it belongs to the quote.
      const prev = i > 0 ? (lines[i - 1] ?? '') : '';
      return UNDERSCORES.test(prev) ? i - 1 : i;
    }
  }
  return lines.length;
}

const FORWARD_MARKER =
  /(forwarded message|mensagem encaminhada|begin forwarded message|in[ií]cio da mensagem encaminhada)/i;
const FORWARD_SUBJECT = /^\s*\*?(assunto|subject)\s*:\*?\s*(enc|fw|fwd|tr)\s*:/i;

/**
 * "De:" followed, within the next few lines, by a sent/date line and a subject line — unless it
 * heads a forwarded message (marker just above, or an ENC:/FW: subject), which is kept.
 */
function isOutlookHeader(lines: string[], i: number): boolean {
  const block = lines.slice(i + 1, i + 6);
  if (!block.some((l) => HEADER_SENT.test(l)) || !block.some((l) => HEADER_SUBJECT.test(l))) return false;
  if (block.some((l) => FORWARD_SUBJECT.test(l))) return false;
  const above = lines
    .slice(Math.max(0, i - 3), i)
    .filter((l) => l.trim())
    .slice(-2);
  return !above.some((l) => FORWARD_MARKER.test(l));
}

// Mobile/webmail footers: never something the customer typed.
const DEVICE_FOOTER =
  /^\s*(enviado (do|de) meu|enviado do (meu )?(iphone|ipad|celular|smartphone|samsung|galaxy|email para windows|outlook|yahoo)|sent from my|sent from (outlook|yahoo|mail for windows)|get outlook for|obter o outlook para|baixe o outlook)/i;
// A valediction alone on its line.
const VALEDICTION =
  /^\s*(att|att\.|atte|at\.te|atenciosamente|cordialmente|abs|abraço|abraços|grato|grata|obrigado|obrigada|muito obrigado|muito obrigada|desde já agradeço|sds|saudações|regards|best regards|kind regards|best|thanks|thank you|cheers)\s*[,.!]*\s*$/i;
const MAX_SIGNATURE_LINES = 8;
const MAX_SIGNATURE_LINE = 100;

function stripSignature(lines: string[]): string[] {
  const out = lines.filter((l) => !DEVICE_FOOTER.test(l));
  // RFC 3676 separator "-- " (clients often trim it to "--"): everything below is the signature.
  const sep = out.findIndex((l) => /^--\s?$/.test(l));
  const body = sep >= 0 ? out.slice(0, sep) : out;
  // A valediction only counts at the end block: at most a few short lines (name, company, phone) follow it.
  for (let i = body.length - 1; i >= 0; i--) {
    const rest = body.slice(i + 1).filter((l) => l.trim());
    if (rest.length > MAX_SIGNATURE_LINES || rest.some((l) => l.length > MAX_SIGNATURE_LINE)) break;
    if (VALEDICTION.test(body[i] ?? '')) return body.slice(0, i);
  }
  return body;
}

function tidy(lines: string[]): string {
  return lines
    .map((l) => l.replace(/\s+$/, ''))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
