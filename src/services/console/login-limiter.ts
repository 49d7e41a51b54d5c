/**
 * Login attempts per key (IP + e-mail) in a sliding window, in memory. It is the first brake:
 * a browser or script gets 429 after `max` attempts a minute. The second brake, failed logins
 * per account across IPs, is counted in the audit log (see `countFailedLogins`), so it holds
 * across processes and restarts.
 */
export class LoginLimiter {
  private readonly hits = new Map<string, number[]>();
  /** Keys already reported as blocked in the current window (one audit line per burst, not per try). */
  private readonly reported = new Map<string, number>();

  constructor(
    readonly max: number,
    readonly windowMs: number,
    private readonly maxKeys = 50_000,
  ) {}

  /** Count an attempt; false when the key is over the limit (the attempt is refused, still counted). */
  hit(key: string, now: number): { allowed: boolean; retryAfterS: number; firstBlock: boolean } {
    const since = now - this.windowMs;
    const list = (this.hits.get(key) ?? []).filter((t) => t > since);
    list.push(now);
    // Keep the array bounded even under a flood.
    if (list.length > this.max * 4) list.splice(0, list.length - this.max * 4);
    this.hits.delete(key);
    this.hits.set(key, list);
    if (this.hits.size > this.maxKeys) {
      const oldest = this.hits.keys().next().value;
      if (oldest !== undefined) this.hits.delete(oldest);
    }
    if (list.length <= this.max) return { allowed: true, retryAfterS: 0, firstBlock: false };
    const oldestInWindow = list[list.length - this.max - 1] ?? now;
    const retryAfterS = Math.max(1, Math.ceil((oldestInWindow + this.windowMs - now) / 1000));
    const last = this.reported.get(key);
    const firstBlock = last === undefined || last <= since;
    if (firstBlock) this.reported.set(key, now);
    if (this.reported.size > this.maxKeys) {
      const oldest = this.reported.keys().next().value;
      if (oldest !== undefined) this.reported.delete(oldest);
    }
    return { allowed: false, retryAfterS, firstBlock };
  }
}
