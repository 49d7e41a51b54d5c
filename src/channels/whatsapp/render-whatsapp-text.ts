/** How the customer is told to pick an option (WhatsApp Web has no reliable buttons for unofficial clients). */
export const OPTIONS_HINT = 'Responda com o número.';

/** Bot texts that already say how to answer (e.g. "Responda com o número da opção…"). */
const HAS_HINT = /responda com o n[uú]mero/i;

/**
 * The text of an outbound WhatsApp message: the options, if any, as a numbered list after the text
 * (`1. Sim` / `2. Não`) followed by {@link OPTIONS_HINT}, unless the text already gives that hint.
 * The engine accepts the number or the option's text as the answer.
 */
export function renderWhatsappText(text: string, options?: readonly string[]): string {
  if (!options?.length) return text;
  const list = options.map((o, i) => `${i + 1}. ${o}`).join('\n');
  const parts = [text.trimEnd(), list];
  if (!HAS_HINT.test(text)) parts.push(OPTIONS_HINT);
  return parts.filter((p) => p.length > 0).join('\n\n');
}
