import { AppError } from '@cb/platform';

/** token-issuance's own error answers, one factory per code (`notFound` and `validationFailed` come from @cb/platform). */
export const connectionNeedsReconnect = (connectionId: string, status: string): AppError =>
  new AppError('connection_needs_reconnect', 'The connection needs to be reconnected by its end user.', 409, { connectionId, status });

export const credentialExpired = (connectionId: string, status: string): AppError =>
  new AppError('credential_expired', 'The credential has expired and cannot be renewed; the end user must connect again.', 409, { connectionId, status });

/** An expired token the provider could not renew right now; `details` says why and when to ask again. */
export const tokenUnavailable = (details: { connectionId: string; providerError?: string; retryAfterSeconds: number }): AppError =>
  new AppError('token_unavailable', 'The token has expired and the provider could not renew it right now. Please try again later.', 503, details, { retriable: true });

export const refreshUnavailable = (providerError: string | undefined): AppError =>
  new AppError('refresh_unavailable', 'The provider could not refresh the token right now. Please try again later.', 503, { providerError }, { retriable: true });

export const refreshInFlight = (): AppError =>
  new AppError('refresh_unavailable', 'A refresh of this connection is still under way. Please try again shortly.', 503, { retryAfterSeconds: 1 }, { retriable: true });

export const connectionBusy = (connectionId: string): AppError =>
  new AppError('connection_busy', 'A refresh of this connection is under way. Please try again shortly.', 409, { connectionId }, { retriable: true });

export const callerUnknown = (header: string): AppError => new AppError('caller_unknown', `the ${header} header must name the caller`, 400);
