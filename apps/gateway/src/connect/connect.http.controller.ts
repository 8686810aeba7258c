import { Body, Controller, Get, Headers, HttpCode, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiQuery,
  ApiResponse,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnauthorizedResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AppError, notFound } from '@cb/platform';
import { CurrentWorkspace, Public, RequireScopes, WorkspaceContext } from '../auth';
import { ConnectorReadiness } from '../connectors/connector-readiness';
import { GATEWAY_CONFIG, GatewayConfig } from '../gateway.config';
import { RateLimit } from '../rate-limit/rate-limit.decorator';
import { isUuid, UpstreamClient } from '../upstream';
import {
  AuthorizationUrlDoc,
  SubmittedAttributesDoc,
  ConnectDialogSessionDoc,
  ConnectSessionDoc,
  CredentialsAcceptedDoc,
  OpenConnectSessionRequestDoc,
  OpenedConnectSessionDoc,
  SubmitAttributesRequestDoc,
  SubmitCredentialsRequestDoc,
} from './connect.docs.dto';
import { LongPollSlots } from './long-poll-slots';
import { callbackFailed, callbackUnavailable, invalidSessionToken } from '../gateway.errors';

const SESSION_TOKEN_REFUSED = '`invalid_session_token`: the session token is missing, unknown or expired.';

/** oauth-authorization's answers when its projection does not have the connector (or has it inactive). */
const CONNECTOR_UNKNOWN_HERE = new Set(['404 connector was not found', '409 the connector is not active and cannot be connected']);

/** Headers of the callback answer that reach the browser; everything else stays inside. */
const CALLBACK_HEADERS = ['content-type', 'location', 'cache-control', 'pragma', 'referrer-policy', 'content-security-policy', 'x-content-type-options', 'x-frame-options'];

/**
 * Connect sessions (for the application, with a `connect` key), the connect dialog's routes (public,
 * authenticated by the session token) and the OAuth redirect URI (public).
 */
@ApiTags('connect')
@Controller()
export class ConnectHttpController {
  private readonly longPolls: LongPollSlots;

  constructor(
    private readonly upstream: UpstreamClient,
    private readonly readiness: ConnectorReadiness,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
  ) {
    this.longPolls = new LongPollSlots(config.longPollsPerWorkspace);
  }

  @Post('v1/connect-sessions')
  @ApiBearerAuth()
  @RequireScopes('connect')
  @RateLimit('connectSessions')
  @ApiOperation({ summary: 'Open a connect session for an end user (or to re-authorize a connection)' })
  @ApiBody({ type: OpenConnectSessionRequestDoc })
  @ApiCreatedResponse({ type: OpenedConnectSessionDoc, description: 'The session opened (for a retried `Idempotency-Key`, the one the first request opened, under a new session token).' })
  @ApiNotFoundResponse({ description: '`not_found`: the connector, or the connection to re-authorize.' })
  @ApiConflictResponse({ description: '`connector_not_active`.' })
  @ApiUnprocessableEntityResponse({ description: '`idempotency_key_reused`: the same key came with another body.' })
  @ApiServiceUnavailableResponse({ description: '`connector_not_ready`: activated moments ago and not yet visible to the connect path; retry after `Retry-After`.' })
  @HttpCode(201)
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'A client-chosen id (1 to 255 visible ASCII characters). A retry with the same key and body answers with the session the first request opened, under a new session token; the same key with another body answers 422 idempotency_key_reused.',
  })
  async open(@CurrentWorkspace() caller: WorkspaceContext, @Body() body: unknown, @Headers('idempotency-key') idempotencyKey?: string): Promise<unknown> {
    try {
      const answer = await this.upstream.request('oauth-authorization', {
        method: 'POST',
        path: `/internal/v1/workspaces/${caller.workspaceId}/connect-sessions`,
        body: body ?? {},
        ...(idempotencyKey === undefined ? {} : { headers: { 'idempotency-key': idempotencyKey } }),
      });
      return answer.body;
    } catch (error) {
      if (!(error instanceof AppError) || !CONNECTOR_UNKNOWN_HERE.has(`${error.status} ${error.message}`)) throw error;
      throw await this.readiness.whyNotConnectable(caller.workspaceId, (body as { connectorId?: unknown } | undefined)?.connectorId, error);
    }
  }

  @Get('v1/connect-sessions/:id')
  @ApiBearerAuth()
  @RequireScopes('connect')
  @RateLimit('sessionReads')
  @ApiOperation({ summary: "Read a connect session's status, optionally waiting for it to leave `pending`" })
  @ApiOkResponse({ type: ConnectSessionDoc, description: 'The session: `status` (`pending`, `completed`, `failed`, `expired`), `connectionId`, and `error` when it failed.' })
  @ApiQuery({
    name: 'waitSeconds',
    required: false,
    description:
      'Long poll: hold the answer up to this many seconds (at most 25) until the session leaves `pending`. At most `LONG_POLLS_PER_WORKSPACE` (20) polls of a workspace wait at once on a gateway instance; others are answered at once, like a wait that ended early.',
    schema: { type: 'integer', minimum: 0, maximum: 25 },
  })
  async get(@CurrentWorkspace() caller: WorkspaceContext, @Param('id') id: string, @Query('waitSeconds') waitSeconds?: string): Promise<unknown> {
    if (!isUuid(id)) throw notFound('connect session');
    const wait = Math.min(Math.max(Number(waitSeconds) || 0, 0), 25);
    const ask = (seconds: number) => async (): Promise<unknown> =>
      (
        await this.upstream.request('oauth-authorization', {
          method: 'GET',
          path: `/internal/v1/workspaces/${caller.workspaceId}/connect-sessions/${id}`,
          query: { waitSeconds: seconds || undefined },
          timeoutMs: (seconds + 10) * 1000,
        })
      ).body;
    return wait === 0 ? ask(0)() : this.longPolls.run(caller.workspaceId, ask(wait), ask(0));
  }

  /** The connect dialog's view of its session: `Authorization: Bearer <sessionToken>` or `X-Connect-Session`. */
  @Get('v1/connect/session')
  @Public()
  @RateLimit('connectDialog')
  @ApiOperation({ summary: "The connect dialog's view of its session (authenticated by the session token)" })
  @ApiHeader({ name: 'X-Connect-Session', required: false, description: 'The session token, or send it as `Authorization: Bearer <sessionToken>`.' })
  @ApiOkResponse({ type: ConnectDialogSessionDoc, description: 'The session as the connect dialog shows it: its status, the connector, what to ask the end user.' })
  @ApiUnauthorizedResponse({ description: SESSION_TOKEN_REFUSED })
  async session(@Headers() headers: Record<string, string | undefined>, @Res({ passthrough: true }) response: Response): Promise<unknown> {
    response.setHeader('Cache-Control', 'no-store');
    const answer = await this.upstream.request('oauth-authorization', { method: 'GET', path: '/internal/v1/connect/session', headers: { 'x-connect-session': sessionToken(headers) } });
    return answer.body;
  }

  /** A fresh authorization URL for the connect dialog's Connect button (OAuth sessions). */
  @Post('v1/connect/authorize')
  @Public()
  @RateLimit('connectDialog')
  @ApiOperation({ summary: 'A fresh sign-in address at the provider for an OAuth session (the dialog\'s Connect button)' })
  @ApiHeader({ name: 'X-Connect-Session', required: false, description: 'The session token, or send it as `Authorization: Bearer <sessionToken>`.' })
  @ApiOkResponse({ type: AuthorizationUrlDoc })
  @ApiUnauthorizedResponse({ description: SESSION_TOKEN_REFUSED })
  @ApiConflictResponse({ description: '`not_an_oauth_session`, `session_not_pending`, `session_expired`, `attributes_required` (enter them with `POST /v1/connect/attributes` first; `details.missing` names them).' })
  @HttpCode(200)
  async authorize(@Headers() headers: Record<string, string | undefined>, @Res({ passthrough: true }) response: Response): Promise<unknown> {
    response.setHeader('Cache-Control', 'no-store');
    const answer = await this.upstream.request('oauth-authorization', { method: 'POST', path: '/internal/v1/connect/authorize', headers: { 'x-connect-session': sessionToken(headers) } });
    return answer.body;
  }

  /** The required attributes the app left for the end user (a login host, a subdomain), from the connect dialog. */
  @Post('v1/connect/attributes')
  @Public()
  @RateLimit('connectDialog')
  @ApiOperation({ summary: "Enter the connector's required attributes the app did not pass; an OAuth session answers with the sign-in address, a typed credential session then takes the credentials" })
  @ApiHeader({ name: 'X-Connect-Session', required: false, description: 'The session token, or send it as `Authorization: Bearer <sessionToken>`.' })
  @ApiBody({ type: SubmitAttributesRequestDoc })
  @ApiOkResponse({ type: SubmittedAttributesDoc, description: 'The attributes were accepted: an OAuth session signs in at `authorizationUrl`; a typed credential session submits its credentials next.' })
  @ApiBadRequestResponse({ description: '`validation_failed`: a value does not match its pattern, is unknown, or was set by the app (each named by `attributes.<key>`).' })
  @ApiUnauthorizedResponse({ description: SESSION_TOKEN_REFUSED })
  @ApiConflictResponse({ description: '`not_an_oauth_session` (client credentials: no end user), `session_not_pending`, `session_expired`.' })
  @HttpCode(200)
  async attributes(@Headers() headers: Record<string, string | undefined>, @Body() body: unknown, @Res({ passthrough: true }) response: Response): Promise<unknown> {
    response.setHeader('Cache-Control', 'no-store');
    const answer = await this.upstream.request('oauth-authorization', {
      method: 'POST',
      path: '/internal/v1/connect/attributes',
      headers: { 'x-connect-session': sessionToken(headers) },
      body: body ?? {},
    });
    return answer.body;
  }

  /** Typed credentials (Basic, API key, bearer, custom input) from the connect dialog. */
  @Post('v1/connect/credentials')
  @Public()
  @RateLimit('connectDialog')
  @ApiOperation({ summary: 'Submit typed credentials (Basic, API key, bearer, custom input) for a session' })
  @ApiHeader({ name: 'X-Connect-Session', required: false, description: 'The session token, or send it as `Authorization: Bearer <sessionToken>`.' })
  @ApiBody({ type: SubmitCredentialsRequestDoc })
  @ApiAcceptedResponse({ type: CredentialsAcceptedDoc, description: 'The credentials were accepted; the session completes once they are stored.' })
  @ApiUnauthorizedResponse({ description: SESSION_TOKEN_REFUSED })
  @ApiConflictResponse({ description: '`wrong_mode` (an OAuth connector), `attributes_required` (enter them with `POST /v1/connect/attributes` first; `details.missing` names them), `session_not_pending` (already submitted), `session_expired`.' })
  @HttpCode(202)
  async credentials(@Headers() headers: Record<string, string | undefined>, @Body() body: unknown, @Res({ passthrough: true }) response: Response): Promise<unknown> {
    response.setHeader('Cache-Control', 'no-store');
    const answer = await this.upstream.request('oauth-authorization', {
      method: 'POST',
      path: '/internal/v1/connect/credentials',
      headers: { 'x-connect-session': sessionToken(headers) },
      body: body ?? {},
    });
    return answer.body;
  }

  /** The redirect URI registered at every provider. The query goes to oauth-authorization as it came; it is never logged. */
  @Get('oauth/callback')
  @Public()
  @RateLimit('callback')
  @ApiOperation({ summary: 'The OAuth redirect URI registered at every provider' })
  @ApiProduces('text/html')
  @ApiOkResponse({ description: 'A page that hands the outcome to the connect dialog.', content: { 'text/html': { schema: { type: 'string' } } } })
  @ApiResponse({ status: 303, description: "To the session's return URL, when it has one." })
  @ApiResponse({ status: 400, description: 'A page that hands the failure to the connect dialog: the provider error, an unknown or reused state, a missing code.', content: { 'text/html': { schema: { type: 'string' } } } })
  @ApiResponse({ status: 502, description: '`callback_failed`.' })
  @ApiServiceUnavailableResponse({ description: '`temporarily_unavailable`: the authorization response cannot be processed right now; reloading the page shortly sends it again.' })
  async callback(@Req() request: Request, @Res() response: Response): Promise<void> {
    const queryStart = request.originalUrl.indexOf('?');
    const answer = await this.upstream.send('oauth-authorization', {
      method: 'GET',
      path: '/internal/v1/oauth/callback',
      rawQuery: queryStart >= 0 ? request.originalUrl.slice(queryStart + 1) : '',
    });
    if (answer.status === 503) throw callbackUnavailable();
    if (answer.status >= 500 || !answer.header('content-type')?.startsWith('text/html') && answer.status !== 303) {
      throw callbackFailed();
    }
    for (const name of CALLBACK_HEADERS) {
      const value = answer.header(name);
      if (value !== undefined) response.setHeader(name, value);
    }
    response.status(answer.status).send(answer.text);
  }
}

function sessionToken(headers: Record<string, string | undefined>): string {
  const bearer = /^Bearer\s+(\S+)$/i.exec(headers.authorization ?? '')?.[1];
  const token = headers['x-connect-session'] ?? bearer;
  if (!token) throw invalidSessionToken();
  return token;
}
