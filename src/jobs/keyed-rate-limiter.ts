/** At most `max` grants in any window of `durationMs`. */
export interface RateLimit {
  max: number;
  durationMs: number;
}

/** Time source of `KeyedRateLimiter`; tests inject a fake one. */
export interface RateLimiterClock {
  /** Monotonic milliseconds. */
  now(): number;
  /** Resolves after `ms` milliseconds of this clock. */
  sleep(ms: number): Promise<void>;
}

/** Options of `KeyedRateLimiter`. */
export interface KeyedRateLimiterOptions {
  /** Limit per key (per chat / phone number), e.g. Telegram `{ max: 1, durationMs: 1000 }`. */
  perKey: RateLimit;
  /** Limit over all keys together, e.g. Telegram `{ max: 30, durationMs: 1000 }`. */
  global?: RateLimit;
  /** Defaults to `performance.now()` and `setTimeout`. */
  clock?: RateLimiterClock;
}

const realClock: RateLimiterClock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

interface KeyState {
  /** Times of the latest grants (at most `max`), oldest first. */
  grants: number[];
  /** Settles when the latest caller for this key got its grant: callers queue behind it. */
  tail: Promise<void>;
  /** Callers waiting or being served. */
  pending: number;
}

/**
 * Spaces outgoing messages per destination (sliding window per key) and optionally overall:
 * Telegram allows about 1 message per second per chat and 30 per second in total; for WhatsApp a
 * human-like spacing per chat. Callers for one key are served in call order (messages to one
 * chat keep their order); a caller waiting for its key does not hold up other keys. Memory stays
 * bounded: a key with no waiter and no grant inside its window is forgotten.
 */
export class KeyedRateLimiter {
  private readonly perKey: RateLimit;
  private readonly global?: RateLimit;
  private readonly clock: RateLimiterClock;
  private readonly keys = new Map<string, KeyState>();
  private readonly globalGrants: number[] = [];
  private globalTail: Promise<void> = Promise.resolve();
  private lastSweep: number;

  constructor(opts: KeyedRateLimiterOptions) {
    checkLimit('perKey', opts.perKey);
    if (opts.global) checkLimit('global', opts.global);
    this.perKey = { ...opts.perKey };
    this.global = opts.global && { ...opts.global };
    this.clock = opts.clock ?? realClock;
    this.lastSweep = this.clock.now();
  }

  /** Resolves when a message to `key` may be sent now; the grant is counted at that moment. */
  async acquire(key: string): Promise<void> {
    const state = this.state(key);
    state.pending++;
    const previous = state.tail;
    let release = () => {};
    state.tail = new Promise<void>((resolve) => {
      release = resolve;
    });
    try {
      await previous;
      await this.sleepUntil(() => readyAt(state.grants, this.perKey));
      if (this.global) {
        await this.takeGlobalTurn(this.global);
      }
      // Nobody else records for this key while we hold its turn, so its window still allows us.
      record(state.grants, this.clock.now(), this.perKey.max);
    } finally {
      state.pending--;
      release();
      this.sweep();
    }
  }

  /** Keys currently remembered (for tests and metrics). */
  get trackedKeys(): number {
    return this.keys.size;
  }

  private async takeGlobalTurn(limit: RateLimit): Promise<void> {
    const previous = this.globalTail;
    let release = () => {};
    this.globalTail = new Promise<void>((resolve) => {
      release = resolve;
    });
    try {
      await previous;
      await this.sleepUntil(() => readyAt(this.globalGrants, limit));
      record(this.globalGrants, this.clock.now(), limit.max);
    } finally {
      release();
    }
  }

  private async sleepUntil(target: () => number): Promise<void> {
    for (;;) {
      const wait = target() - this.clock.now();
      if (wait <= 0) return;
      await this.clock.sleep(wait);
    }
  }

  private state(key: string): KeyState {
    let s = this.keys.get(key);
    if (!s) {
      s = { grants: [], tail: Promise.resolve(), pending: 0 };
      this.keys.set(key, s);
    }
    return s;
  }

  /** At most once per window: drop keys nobody waits for whose grants all left the window. */
  private sweep(): void {
    const now = this.clock.now();
    if (now - this.lastSweep < this.perKey.durationMs) return;
    this.lastSweep = now;
    for (const [key, s] of this.keys) {
      const newest = s.grants[s.grants.length - 1];
      if (s.pending === 0 && (newest === undefined || now - newest >= this.perKey.durationMs)) this.keys.delete(key);
    }
  }
}

/** Earliest time the next grant fits the window: the `max`-th latest grant must have left it. */
function readyAt(grants: number[], limit: RateLimit): number {
  const nth = grants.length >= limit.max ? grants[grants.length - limit.max] : undefined;
  return nth === undefined ? Number.NEGATIVE_INFINITY : nth + limit.durationMs;
}

function record(grants: number[], at: number, max: number): void {
  grants.push(at);
  if (grants.length > max) grants.splice(0, grants.length - max);
}

function checkLimit(what: string, l: RateLimit): void {
  if (!(Number.isInteger(l.max) && l.max >= 1 && Number.isFinite(l.durationMs) && l.durationMs > 0)) {
    throw new Error(`KeyedRateLimiter: ${what} needs an integer max >= 1 and durationMs > 0`);
  }
}
