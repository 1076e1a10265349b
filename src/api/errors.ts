/** Every failure the client reports: HTTP errors carry the server's code; no answer at all is NETWORK_ERROR with status 0. */
export class UccError extends Error {
  constructor(
    public status: number,
    public code: string,
    message: string,
    public details?: Record<string, unknown>,
    /** How long the server asked to wait before retrying (`Retry-After`, in ms), when it said. */
    public retryAfter?: number,
  ) {
    super(message);
    this.name = 'UccError';
  }
}

/** `e` as a UccError (UNKNOWN when it is not one). */
export const asError = (e: unknown) => (e instanceof UccError ? e : new UccError(0, 'UNKNOWN', String(e)));

/** True for failures every element shares (network, session, server fault), shown once by the provider. */
export const isShared = (e: UccError) => !e.status || e.status === 401 || e.status >= 500;

export const isNetworkError = (e: unknown): e is UccError => e instanceof UccError && e.status === 0;
