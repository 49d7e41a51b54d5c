import { KeyedRateLimiter, type RateLimiterClock } from '../../../src/jobs/keyed-rate-limiter';

/** A clock that only moves when the test says so; sleepers wake in deadline order. */
class FakeClock implements RateLimiterClock {
  private t = 0;
  private sleepers: Array<{ at: number; wake: () => void }> = [];

  now(): number {
    return this.t;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((wake) => {
      this.sleepers.push({ at: this.t + ms, wake });
    });
  }

  /** Moves time forward to `this.now() + ms`, waking sleepers (and what they schedule) on the way. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      await flush();
      const due = this.sleepers.filter((s) => s.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.t = Math.max(this.t, due.at);
      const woken = this.sleepers.filter((s) => s.at <= this.t);
      this.sleepers = this.sleepers.filter((s) => s.at > this.t);
      for (const s of woken) s.wake();
    }
    this.t = end;
    await flush();
  }
}

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Starts `acquire(key)` and records when it is granted. */
function track(limiter: KeyedRateLimiter, clock: FakeClock, grants: Array<[string, number]>, key: string) {
  return limiter.acquire(key).then(() => {
    grants.push([key, clock.now()]);
  });
}

describe('KeyedRateLimiter', () => {
  it('spaces calls for one key and lets other keys through at once', async () => {
    const clock = new FakeClock();
    const limiter = new KeyedRateLimiter({ perKey: { max: 1, durationMs: 1000 }, clock });
    const grants: Array<[string, number]> = [];
    const all = [
      track(limiter, clock, grants, 'chat-a'),
      track(limiter, clock, grants, 'chat-a'),
      track(limiter, clock, grants, 'chat-b'),
      track(limiter, clock, grants, 'chat-a'),
    ];
    await clock.advance(5000);
    await Promise.all(all);
    expect(grants.filter(([k]) => k === 'chat-a').map(([, t]) => t)).toEqual([0, 1000, 2000]);
    expect(grants.filter(([k]) => k === 'chat-b').map(([, t]) => t)).toEqual([0]);
  });

  it('allows bursts up to max per window', async () => {
    const clock = new FakeClock();
    const limiter = new KeyedRateLimiter({ perKey: { max: 2, durationMs: 1000 }, clock });
    const grants: Array<[string, number]> = [];
    const all = Array.from({ length: 5 }, () => track(limiter, clock, grants, 'k'));
    await clock.advance(5000);
    await Promise.all(all);
    expect(grants.map(([, t]) => t)).toEqual([0, 0, 1000, 1000, 2000]);
  });

  it('applies the global limit across keys', async () => {
    const clock = new FakeClock();
    const limiter = new KeyedRateLimiter({
      perKey: { max: 1, durationMs: 1000 },
      global: { max: 2, durationMs: 1000 },
      clock,
    });
    const grants: Array<[string, number]> = [];
    const all = ['a', 'b', 'c', 'd', 'e'].map((k) => track(limiter, clock, grants, k));
    await clock.advance(5000);
    await Promise.all(all);
    expect(grants).toEqual([
      ['a', 0],
      ['b', 0],
      ['c', 1000],
      ['d', 1000],
      ['e', 2000],
    ]);
  });

  it('a key waiting for its own window does not hold up other keys', async () => {
    const clock = new FakeClock();
    const limiter = new KeyedRateLimiter({
      perKey: { max: 1, durationMs: 3000 },
      global: { max: 30, durationMs: 1000 },
      clock,
    });
    const grants: Array<[string, number]> = [];
    const all = [track(limiter, clock, grants, 'a'), track(limiter, clock, grants, 'a')];
    await clock.advance(10);
    all.push(track(limiter, clock, grants, 'b'));
    await clock.advance(5000);
    await Promise.all(all);
    expect(grants).toEqual([
      ['a', 0],
      ['b', 10],
      ['a', 3000],
    ]);
  });

  it('serves callers of one key in call order', async () => {
    const clock = new FakeClock();
    const limiter = new KeyedRateLimiter({ perKey: { max: 1, durationMs: 100 }, clock });
    const order: number[] = [];
    const all = Array.from({ length: 6 }, (_, i) => limiter.acquire('chat').then(() => order.push(i)));
    await clock.advance(1000);
    await Promise.all(all);
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('forgets idle keys', async () => {
    const clock = new FakeClock();
    const limiter = new KeyedRateLimiter({ perKey: { max: 1, durationMs: 1000 }, clock });
    await Promise.all(Array.from({ length: 100 }, (_, i) => limiter.acquire(`chat-${i}`)));
    expect(limiter.trackedKeys).toBe(100);
    await clock.advance(1500);
    await limiter.acquire('fresh');
    expect(limiter.trackedKeys).toBe(1);
  });

  it('keeps a key whose window is still open, so its spacing survives the sweep', async () => {
    const clock = new FakeClock();
    const limiter = new KeyedRateLimiter({ perKey: { max: 1, durationMs: 1000 }, clock });
    await limiter.acquire('old');
    await clock.advance(1000);
    await limiter.acquire('busy'); // t=1000: sweeps 'old', keeps 'busy'
    expect(limiter.trackedKeys).toBe(1);
    const grants: Array<[string, number]> = [];
    const p = track(limiter, clock, grants, 'busy');
    await clock.advance(2000);
    await p;
    expect(grants).toEqual([['busy', 2000]]);
  });

  it('rejects nonsense limits', () => {
    expect(() => new KeyedRateLimiter({ perKey: { max: 0, durationMs: 1000 } })).toThrow(/perKey/);
    expect(
      () => new KeyedRateLimiter({ perKey: { max: 1, durationMs: 1000 }, global: { max: 1, durationMs: 0 } }),
    ).toThrow(/global/);
  });

  it('works with the real clock (generous bounds)', async () => {
    const limiter = new KeyedRateLimiter({ perKey: { max: 1, durationMs: 40 } });
    const t0 = performance.now();
    await limiter.acquire('x');
    await limiter.acquire('x');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(35);
  });
});
