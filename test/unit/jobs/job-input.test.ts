import { z } from 'zod';
import { assertJobName, parseJobPayload, sanitizeJobId } from '../../../src/jobs/job-input';
import { PermanentJobError } from '../../../src/jobs/permanent-job-error';

describe('job input checks', () => {
  it('sanitises job ids deterministically', () => {
    expect(sanitizeJobId('a:b')).toBe('a_b');
    expect(sanitizeJobId('17')).toBe('id-17');
    expect(sanitizeJobId('-3')).toBe('id--3');
    expect(sanitizeJobId('17a')).toBe('17a');
    expect(sanitizeJobId('0f9e2c1a-uuid')).toBe('0f9e2c1a-uuid');
    expect(() => sanitizeJobId('')).toThrow();
  });

  it('accepts BullMQ-safe job names only', () => {
    expect(() => assertJobName('deliver-outbox')).not.toThrow();
    expect(() => assertJobName('sla.alerts_v2')).not.toThrow();
    for (const bad of ['', 'a:b', 'with space', '-leading', 'x'.repeat(101)])
      expect(() => assertJobName(bad)).toThrow();
  });

  it('turns an invalid payload into a PermanentJobError listing the issues', () => {
    const schema = z.object({ outboxId: z.string(), attempt: z.number() });
    expect(parseJobPayload('deliver', schema, { outboxId: 'a', attempt: 1 })).toEqual({ outboxId: 'a', attempt: 1 });
    let err: unknown;
    try {
      parseJobPayload('deliver', schema, { attempt: 'x' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PermanentJobError);
    const pe = err as PermanentJobError;
    expect(pe.message).toMatch(/^invalid payload for job "deliver": .*outboxId.*attempt/);
    expect(pe.details).toEqual({
      issues: [expect.objectContaining({ path: 'outboxId' }), expect.objectContaining({ path: 'attempt' })],
    });
  });
});
