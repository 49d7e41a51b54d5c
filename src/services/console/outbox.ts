import { desc, eq } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { messages, outbox } from '../../db/schema';

/** Outbound messages whose delivery failed for good (retries exhausted), newest first. */
export async function failedOutbox(db: Database, limit = 200) {
  return db
    .select({
      id: outbox.id,
      channel: outbox.channel,
      address: outbox.address,
      attempts: outbox.attempts,
      lastError: outbox.lastError,
      createdAt: outbox.createdAt,
      text: messages.text,
      conversationId: messages.conversationId,
    })
    .from(outbox)
    .innerJoin(messages, eq(messages.id, outbox.messageId))
    .where(eq(outbox.status, 'failed'))
    .orderBy(desc(outbox.id))
    .limit(limit);
}
