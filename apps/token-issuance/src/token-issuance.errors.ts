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

/** The proxy's own answers; each goes out with `X-Broker-Error: true`. */
export const proxyPathRefused = (problem: string, message: string): AppError =>
  new AppError('proxy_path_refused', `The proxied path is refused: ${message}.`, 400, { problem });

export const proxyNotConfigured = (connectorId: string): AppError =>
  new AppError('proxy_not_configured', "The connection's connector has no apiBaseUrl, so its calls cannot be proxied.", 409, { connectorId });

export const proxyBaseUrlUnavailable = (placeholder: string | undefined): AppError =>
  new AppError('proxy_base_url_unavailable', "The connector's apiBaseUrl cannot be filled in for this connection.", 409, { placeholder });

export const proxyApiOriginMoved = (connectionId: string): AppError =>
  new AppError(
    'proxy_api_origin_changed',
    "The connector's apiBaseUrl now points at another origin than when this connection was made; the credential is only sent to the origin it was issued for. Reconnect to use the new one.",
    409,
    { connectionId },
  );

export const proxyCredentialUnavailable = (connectionId: string): AppError =>
  new AppError('proxy_credential_unavailable', "The connection's credential lacks a value its connector's placement names.", 409, { connectionId });

export const proxyRequestTooLarge = (maxBytes: number): AppError =>
  new AppError('proxy_request_too_large', `The request body is larger than the proxy takes (${maxBytes} bytes).`, 413, { maxBytes });

export const proxyResponseTooLarge = (maxBytes: number): AppError =>
  new AppError('proxy_response_too_large', `The provider's answer is larger than the proxy passes on (${maxBytes} bytes).`, 502, { maxBytes });

export const proxyUpstreamUnreachable = (reason: 'unreachable' | 'refused_destination'): AppError =>
  new AppError('proxy_upstream_unreachable', reason === 'refused_destination' ? "The provider's address is not allowed by the outbound policy." : 'The provider could not be reached.', 502, { reason }, { retriable: reason === 'unreachable' });

export const proxyUpstreamTimeout = (timeoutMs: number): AppError =>
  new AppError('proxy_upstream_timeout', `The provider did not answer within ${timeoutMs} ms.`, 504, { timeoutMs }, { retriable: true });

export const proxyRetriesInvalid = (): AppError =>
  new AppError('validation_failed', 'request is invalid: X-Retries', 400, { errors: [{ path: 'X-Retries', message: 'X-Retries must be an integer from 0 to 3' }] });

export const connectionExists = (connectionId: string): AppError =>
  new AppError('connection_exists', 'A connection with this id exists already; importing never replaces one.', 409, { connectionId });

export const importConnectorNotActive = (connectorId: string): AppError =>
  new AppError('connector_not_active', 'The connector is not active, so nothing can be imported into it.', 409, { connectorId });
