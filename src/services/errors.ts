/** A failure the caller caused: mapped to a 4xx with `{ error }` at the HTTP boundary. */
export class ClientError extends Error {
  constructor(
    public readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 422 | 429,
    message: string,
    public readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ClientError';
  }
}
