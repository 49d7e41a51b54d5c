import { and, desc, eq, type SQL } from 'drizzle-orm';
import { T, TEAM_NAMES } from '../../flows/texts';
import { writeOutbound } from '../conversation/inbound';
import type { Database, Tx } from '../db/client';
import { customers, forwards } from '../db/schema';
import { ClientError } from './errors';

export async function listForwards(db: Database, f: { team?: string; status?: string }) {
  const where: SQL[] = [];
  if (f.team) where.push(eq(forwards.team, f.team as 'projects'));
  if (f.status) where.push(eq(forwards.status, f.status as 'open'));
  const rows = await db
    .select({ f: forwards, c: customers })
    .from(forwards)
    .leftJoin(customers, eq(customers.id, forwards.customerId))
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(forwards.createdAt), desc(forwards.id))
    .limit(500);
  return rows.map(({ f, c }) => ({
    id: f.id,
    team: f.team,
    intent: f.intent,
    channel: f.channel,
    contact: f.address,
    customer: c ? { code: c.code, name: c.name } : null,
    question: f.question,
    orderNumber: f.orderNumber,
    status: f.status,
    answer: f.answer,
    answeredBy: f.answeredBy,
    answeredAt: f.answeredAt?.toISOString() ?? null,
    conversationId: f.conversationId,
    createdAt: f.createdAt.toISOString(),
  }));
}

/** The team's answer goes to the customer on their channel; the forward is marked answered. */
export async function answerForward(db: Database, id: number, text: string, by: string): Promise<number[]> {
  const body = text.trim();
  if (!body) throw new ClientError(400, '"text" is required');
  return db.transaction(async (txRaw) => {
    const tx = txRaw as Tx;
    const [f] = await tx.select().from(forwards).where(eq(forwards.id, id)).for('update');
    if (!f) throw new ClientError(404, `forward ${id} not found`);
    await tx
      .update(forwards)
      .set({ status: 'answered', answer: body, answeredBy: by, answeredAt: new Date() })
      .where(eq(forwards.id, id));
    return writeOutbound(tx, {
      conversationId: f.conversationId,
      channel: f.channel,
      address: f.address,
      author: by,
      replies: [{ text: T.teamAnswer(TEAM_NAMES[f.team], body) }],
    });
  });
}
