/** Thrown by {@link TimerRegistry.timeout} when the call took too long or the registry was closed. */
export class WhatsappTimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WhatsappTimeoutError';
  }
}

/**
 * Every timer the WhatsApp adapter arms (pacing, retry backoff, call timeouts) goes through one
 * registry, so `stop()` can clear them all at once: nothing keeps the process (or Jest) alive after it.
 */
export class TimerRegistry {
  private readonly active = new Map<NodeJS.Timeout, () => void>();
  private closed = false;

  /** Resolves after `ms`, or at once when the registry is (or gets) closed. */
  sleep(ms: number): Promise<void> {
    if (this.closed || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.active.delete(t);
        resolve();
      }, ms);
      this.active.set(t, resolve);
    });
  }

  /**
   * `promise`, unless it takes longer than `ms` (then rejects with a {@link WhatsappTimeoutError} naming
   * `what`). A library call that hangs (a crashed browser page answers nothing) must not hang the caller.
   */
  timeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
    if (this.closed) {
      promise.catch(() => {}); // settled later by nobody: do not let it become an unhandled rejection
      return Promise.reject(new WhatsappTimeoutError(`${what}: adapter stopped`));
    }
    return new Promise<T>((resolve, reject) => {
      const t = setTimeout(() => {
        this.active.delete(t);
        reject(new WhatsappTimeoutError(`${what}: no answer in ${ms} ms`));
      }, ms);
      this.active.set(t, () => reject(new WhatsappTimeoutError(`${what}: adapter stopped`)));
      promise.then(
        (v) => {
          clearTimeout(t);
          this.active.delete(t);
          resolve(v);
        },
        (err: unknown) => {
          clearTimeout(t);
          this.active.delete(t);
          reject(err);
        },
      );
    });
  }

  /** Arms a one-shot callback (reconnect, health check); returns a function that disarms it. */
  schedule(ms: number, fn: () => void): () => void {
    if (this.closed) return () => {};
    const t = setTimeout(() => {
      this.active.delete(t);
      fn();
    }, ms);
    this.active.set(t, () => {});
    return () => {
      clearTimeout(t);
      this.active.delete(t);
    };
  }

  /**
   * Clears every timer for good: pending sleeps resolve, pending timeouts reject, scheduled callbacks never
   * run, and later sleeps resolve at once.
   */
  close(): void {
    this.closed = true;
    for (const [t, settle] of this.active) {
      clearTimeout(t);
      settle();
    }
    this.active.clear();
  }

  /** Timers still armed (tests assert it drops to 0 after `stop()`). */
  get size(): number {
    return this.active.size;
  }
}
