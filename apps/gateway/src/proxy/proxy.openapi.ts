import type { OpenAPIObject } from '@nestjs/swagger';
import { rateLimitedResponseDoc } from '../rate-limit/rate-limit.decorator';

type PathItem = OpenAPIObject['paths'][string];
type Operation = NonNullable<PathItem['get']>;

const BROKER_ERROR = {
  'X-Broker-Error': { description: "`true`: the broker answered itself (not the provider). Absent on the provider's answers.", schema: { type: 'string', enum: ['true'] } },
};
const BINARY = { '*/*': { schema: { type: 'string', format: 'binary' } } };

function brokerError(description: string): NonNullable<Operation['responses'][string]> {
  return { description, headers: BROKER_ERROR };
}

function operation(method: string, withBody: boolean): Operation {
  return {
    operationId: `ProxyRoute_${method}`,
    summary: `${method.toUpperCase()} through the proxy to the connection's provider (scope \`proxy\`)`,
    description:
      "Sent by the broker to the connector's `apiBaseUrl` followed by `path`, with the query string, the body and an allow-list of headers, and the connection's credential applied by its auth mode. " +
      "The caller's `Authorization`, `Cookie` and `X-Api-Key` are never forwarded; `Set-Cookie` never comes back. Bodies are streamed both ways. " +
      "The provider's answer comes back as it is (status, allow-listed headers, body), 3xx included (redirects are not followed); the broker's own errors carry `X-Broker-Error: true`. " +
      'A 401 on an OAuth2 connection refreshes the token once and sends the request again (when its body is small enough to replay). ' +
      '`X-Retries: 0-3` repeats an idempotent request (GET, HEAD, PUT, DELETE, OPTIONS) on 429, 502, 503, 504 or a network failure, with exponential backoff.',
    parameters: [
      { name: 'connectionId', required: true, in: 'path', schema: { type: 'string', format: 'uuid' } },
      { name: 'path', required: true, in: 'path', description: 'The path below the API base URL; may contain `/`. `.`/`..` segments (encoded or not), `%2F`, `\\`, `%5C`, a leading `//` and absolute URLs are refused.', schema: { type: 'string' } },
      { name: 'X-Retries', required: false, in: 'header', description: 'How often an idempotent request may be repeated (0 to 3).', schema: { type: 'integer', minimum: 0, maximum: 3 } },
    ],
    ...(withBody ? { requestBody: { required: false, description: 'Any body, sent on as it arrives (`PROXY_MAX_REQUEST_BYTES`).', content: BINARY } } : {}),
    responses: {
      '200': { description: "The provider's answer, whatever its status; its body as the provider sent it.", content: BINARY },
      '400': brokerError('`proxy_path_refused` (the problem in `details.problem`), or `validation_failed` for `X-Retries`.'),
      '401': brokerError('`unauthorized`: the API key is missing, malformed, unknown or revoked.'),
      '403': brokerError('`forbidden`: the API key lacks the scope `proxy`.'),
      '404': brokerError("`not_found`: no such connection in the caller's workspace."),
      '409': brokerError('`connection_needs_reconnect`, `credential_expired`, `proxy_not_configured` (the connector has no `apiBaseUrl`), `proxy_base_url_unavailable`, `proxy_api_origin_changed` (the `apiBaseUrl` moved to another origin after the connection was made; reconnect), `proxy_credential_unavailable`.'),
      '413': brokerError('`proxy_request_too_large`: the body is over `PROXY_MAX_REQUEST_BYTES`.'),
      '429': { ...rateLimitedResponseDoc('proxy'), description: `${rateLimitedResponseDoc('proxy').description} The provider's own 429 comes back as it is, without \`X-Broker-Error\`.` },
      '502': brokerError("`proxy_upstream_unreachable`, or `proxy_response_too_large` (over `PROXY_MAX_RESPONSE_BYTES`). The provider's own 502 comes back as it is."),
      '503': brokerError('`token_unavailable`: the token has expired and the provider could not renew it right now.'),
      '504': brokerError('`proxy_upstream_timeout`: no answer within `PROXY_TIMEOUT_MS`.'),
    },
    security: [{ bearer: [] }],
    tags: ['proxy'],
  };
}

/** The proxy's entry in the OpenAPI document (a streaming route, unseen by Nest's scanner). */
export const PROXY_OPENAPI: OpenAPIObject['paths'] = {
  '/v1/proxy/{connectionId}/{path}': {
    get: operation('get', false),
    post: operation('post', true),
    put: operation('put', true),
    patch: operation('patch', true),
    delete: operation('delete', false),
  },
};
