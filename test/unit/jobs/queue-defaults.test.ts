import { backoffDelayMs, DEFAULT_QUEUE_DEFAULTS, resolveQueueDefaults } from '../../../src/jobs/queue-defaults';

describe('queue defaults and backoff', () => {
  it('defaults to 8 attempts with a 1 s base', () => {
    expect(resolveQueueDefaults()).toEqual(DEFAULT_QUEUE_DEFAULTS);
    expect(resolveQueueDefaults({ attempts: 3 })).toMatchObject({ attempts: 3, backoffMs: 1000 });
  });

  it('doubles the wait after each run and caps it', () => {
    expect([1, 2, 3, 4].map((a) => backoffDelayMs(a, 1000, 60_000))).toEqual([1000, 2000, 4000, 8000]);
    expect(backoffDelayMs(20, 1000, 60_000)).toBe(60_000);
    expect(backoffDelayMs(5000, 1000, 60_000)).toBe(60_000);
  });
});
