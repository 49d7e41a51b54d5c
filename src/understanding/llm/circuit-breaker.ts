/**
 * Stops calling a failing endpoint for a while: after `failures` failed calls in a row it is open
 * (no calls) for `cooldownMs`; then one trial call is let through (half-open). A success closes it,
 * a failed trial opens it again for another cooldown.
 */
export class CircuitBreaker {
  private consecutive = 0;
  private openUntil = 0;
  private trialInFlight = false;

  constructor(
    private readonly failures: number,
    private readonly cooldownMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** May a call go out now? Claims the single trial slot when half-open. */
  tryAcquire(): boolean {
    if (this.consecutive < this.failures) return true;
    if (this.now() < this.openUntil || this.trialInFlight) return false;
    this.trialInFlight = true;
    return true;
  }

  success(): void {
    this.consecutive = 0;
    this.trialInFlight = false;
  }

  failure(): void {
    this.consecutive++;
    this.trialInFlight = false;
    if (this.consecutive >= this.failures) this.openUntil = this.now() + this.cooldownMs;
  }

  get state(): 'closed' | 'open' | 'half-open' {
    if (this.consecutive < this.failures) return 'closed';
    return this.now() < this.openUntil ? 'open' : 'half-open';
  }
}
