/**
 * Our outgoing Message-IDs carry the outbox row and the conversation, so a customer's reply
 * (In-Reply-To / References) leads back to its conversation without any lookup table:
 * `<o{outboxId}.{conversationId}@{domain}>`, conversationId a UUID or `none`.
 */
export function formatOwnMessageId(outboxId: number, conversationId: string | null, domain: string): string {
  return `<o${outboxId}.${conversationId ?? 'none'}@${domain}>`;
}

const OWN = /^<o(\d+)\.([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|none)@[^<>\s@]+>$/i;

/**
 * Parse one of our Message-IDs back. The domain is not checked on purpose: a changed MAIL_FROM
 * domain must not orphan running threads, and the UUID is what makes the id ours (unguessable).
 */
export function parseOwnMessageId(id: string): { outboxId: number; conversationId: string | null } | undefined {
  const m = OWN.exec(id.trim());
  if (!m?.[1] || !m[2]) return undefined;
  return { outboxId: Number(m[1]), conversationId: m[2].toLowerCase() === 'none' ? null : m[2].toLowerCase() };
}
