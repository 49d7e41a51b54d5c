/**
 * Thrown by a job handler when retrying cannot help (the customer blocked the bot, the
 * address does not exist, the payload is invalid). The runner skips the remaining attempts
 * and hands the job to `Queue.onFailed` at once. Any other error is retried with backoff.
 */
export class PermanentJobError extends Error {
  constructor(
    message: string,
    /** Structured context for the log (e.g. zod issues, the channel's error code); never secrets. */
    public readonly details?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PermanentJobError';
  }
}
