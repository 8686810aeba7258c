import { AppError } from '@cb/platform';

/** oauth-authorization's own error answers, one factory per code (`notFound` and `validationFailed` come from @cb/platform). */
export const invalidSessionToken = (): AppError => new AppError('invalid_session_token', 'connect session token missing or invalid', 401);
export const sessionExpired = (): AppError => new AppError('session_expired', 'the connect session has expired', 409);
export const sessionNotPending = (status: string): AppError => new AppError('session_not_pending', `the connect session is ${status}`, 409);
export const credentialsAlreadySubmitted = (): AppError => new AppError('session_not_pending', 'credentials were already submitted for this connect session', 409);
export const connectorNotActive = (): AppError => new AppError('connector_not_active', 'the connector is not active and cannot be connected', 409);
export const connectorIncomplete = (): AppError => new AppError('connector_incomplete', 'the connector has no authorization URL or client ID', 409);
export const wrongMode = (): AppError => new AppError('wrong_mode', 'this connector is connected through the OAuth authorization flow', 409);
export const notAnOAuthSession = (): AppError => new AppError('not_an_oauth_session', 'this connect session does not use an OAuth authorization', 409);
export const idempotencyKeyReused = (): AppError => new AppError('idempotency_key_reused', 'this Idempotency-Key was already used for a different request', 422);
export const attributesRequired = (missing: readonly string[]): AppError =>
  new AppError('attributes_required', `the connector needs these attributes first: ${missing.join(', ')}`, 409, { missing });
