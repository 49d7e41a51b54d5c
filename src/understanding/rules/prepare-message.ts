import { prepareText } from './prepare-text';
import { tokenize } from './tokenize';
import type { Message, Token } from './types';

/** How special tokens appear in `Message.text`: a placeholder, so keyword tables never see their digits. */
function textForm(t: Token): string {
  switch (t.kind) {
    case 'word':
    case 'number':
    case 'punct':
    case 'alnum':
    case 'measure':
      return t.norm;
    case 'times':
      return `x${t.norm}`;
    default:
      return `_${t.kind}_`;
  }
}

/** Raw customer text → cleaned, folded, tokenised message. */
export function prepareMessage(raw: string): Message {
  const { original, folded, signature } = prepareText(raw);
  const tokens = tokenize(folded);
  return { original, folded, tokens, text: tokens.map(textForm).join(' '), signatureTokens: tokenize(signature) };
}
