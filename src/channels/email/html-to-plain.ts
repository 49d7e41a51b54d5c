import { convert } from 'html-to-text';

// The mail's HTML is never rendered: it is only turned into text here. Scripts, styles, images and
// link targets carry nothing the customer typed; quote containers of the usual clients are dropped
// here already, because after conversion their attribution lines are harder to recognise.
const SKIP = [
  'head',
  'script',
  'style',
  'noscript',
  'template',
  'img',
  'div.gmail_quote',
  'blockquote.gmail_quote',
  'blockquote[type="cite"]',
  'div.moz-cite-prefix',
  'div.yahoo_quoted',
].map((selector) => ({ selector, format: 'skip' }));

/** Plain text of an HTML mail body (for mails without a text/plain part). */
export function htmlToPlain(html: string): string {
  return convert(html, {
    wordwrap: false,
    limits: { maxInputLength: 2_000_000 },
    selectors: [
      ...SKIP,
      { selector: 'a', options: { ignoreHref: true } },
      { selector: 'h1', options: { uppercase: false } },
      { selector: 'h2', options: { uppercase: false } },
      { selector: 'h3', options: { uppercase: false } },
    ],
  });
}
