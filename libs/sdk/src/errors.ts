/** One problem with one input value, named by its dotted path (`config.fields.0.key`). */
export interface ApiFieldError {
  readonly path: string;
  readonly message: string;
}

/**
 * An error answer of the gateway, `{ error: { code, message, details } }`, with the HTTP status.
 * Switch on `code` (stable strings such as `validation_failed`, `activation_refused`, `not_found`),
 * not on the class: codes survive serialization between processes.
 */
export class CredentialBrokerError extends Error {
  override readonly name: string = 'CredentialBrokerError';

  constructor(
    readonly code: string,
    message: string,
    /** The HTTP status, or 0 when no answer arrived. */
    readonly status: number,
    readonly details?: unknown,
    /** Whether the same request may succeed later (network errors, 5xx, 429). */
    readonly retriable = status === 0 || status === 429 || status >= 500,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** Every field problem of a 400 `validation_failed` or a 422 `activation_refused`; [] otherwise. */
  get fieldErrors(): ApiFieldError[] {
    const errors = (this.details as { errors?: unknown } | undefined)?.errors;
    if (!Array.isArray(errors)) return [];
    return errors.filter((e): e is ApiFieldError => typeof (e as ApiFieldError)?.path === 'string' && typeof (e as ApiFieldError)?.message === 'string');
  }
}

/** A connect session ended without a connection: `code` is the provider's or the broker's code (e.g. `access_denied`, `session_expired`). */
export class ConnectSessionFailedError extends CredentialBrokerError {
  override readonly name: string = 'ConnectSessionFailedError';

  constructor(
    code: string,
    /** Words a person understands, from the broker. */
    readonly reason: string,
    readonly sessionId: string,
    readonly sessionStatus: 'failed' | 'expired',
  ) {
    super(code, reason, 200, undefined, false);
  }
}

/** `waitForCompletion` gave up: the session was still pending at the deadline. */
export class WaitTimeoutError extends CredentialBrokerError {
  override readonly name: string = 'WaitTimeoutError';

  constructor(
    readonly sessionId: string,
    readonly timeoutMs: number,
  ) {
    super('wait_timeout', `connect session ${sessionId} was still pending after ${timeoutMs} ms`, 0, undefined, true);
  }
}
