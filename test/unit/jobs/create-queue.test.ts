import pino from 'pino';
import { BullmqQueue } from '../../../src/jobs/bullmq-queue';
import { createQueue } from '../../../src/jobs/create-queue';
import { MemoryQueue } from '../../../src/jobs/memory-queue';

const logger = pino({ level: 'silent' });

describe('createQueue', () => {
  it('uses the in-process runner without a Redis URL', async () => {
    const q = createQueue({ logger });
    expect(q.kind).toBe('memory');
    expect(q).toBeInstanceOf(MemoryQueue);
    await q.close();
  });

  it('uses BullMQ with a Redis URL (connecting lazily, so no Redis is needed here)', async () => {
    const q = createQueue({ logger, redisUrl: 'redis://127.0.0.1:1', prefix: 'unit' });
    expect(q.kind).toBe('bullmq');
    expect(q).toBeInstanceOf(BullmqQueue);
    await q.close();
  });

  it('refuses nonsense defaults', () => {
    expect(() => createQueue({ logger, defaults: { attempts: 0 } })).toThrow(/attempts/);
  });
});
