import { Injectable } from '@nestjs/common';
import { getSchemaPath, type OpenAPIObject } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { HotRoute, notFound } from '@cb/platform';
import { ApiKeyAuthenticator } from '../auth/api-key-authenticator';
import { rateLimitedResponseDoc } from '../rate-limit/rate-limit.decorator';
import { SharedRateLimits } from '../rate-limit/shared-rate-limits';
import { isUuid, UpstreamClient } from '../upstream';
import { ReadCredentialRequestDoc } from './connection.docs.dto';
import { CredentialDoc } from './credential.docs.dto';

/**
 * `POST /v1/connections/:id/credential`, body `{ includeRefreshToken?: boolean }`: the credential,
 * from token-issuance (which audits the read), passed on as it was written and never cached.
 * Every consuming service calls it before every third-party call, so it is answered ahead of Nest's
 * router (ADR 0011), with the same API key check (scope `credentials:read`) and workspace limit
 * (`RATE_LIMIT_CREDENTIAL_READS`) as the routes behind it.
 */
@Injectable()
export class CredentialReadRoute implements HotRoute {
  readonly method = 'POST';
  readonly path = /^\/v1\/connections\/([^/]+)\/credential\/?$/i;
  readonly template = '/v1/connections/:connectionId/credential';

  constructor(
    private readonly authenticator: ApiKeyAuthenticator,
    private readonly limits: SharedRateLimits,
    private readonly upstream: UpstreamClient,
  ) {}

  async handle(request: Request, response: Response, [id]: string[]): Promise<void> {
    response.setHeader('Cache-Control', 'no-store');
    response.setHeader('Pragma', 'no-cache');
    const caller = await this.authenticator.authenticate(request.headers.authorization, ['credentials:read']);
    await this.limits.enforce('credentialReads', caller.workspaceId);
    if (id === undefined || !isUuid(id)) throw notFound('connection');
    const answer = await this.upstream.requestJsonText('token-issuance', {
      method: 'POST',
      path: `/internal/v1/workspaces/${caller.workspaceId}/connections/${id}/credential`,
      headers: { 'x-api-key-id': caller.apiKeyId },
      body: (request.body as unknown) ?? {},
    });
    response.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8' }).end(answer.body);
  }
}

/** The route's entry in the OpenAPI document (Nest's scanner sees only its own routes); its models are {@link CREDENTIAL_READ_MODELS}. */
export const CREDENTIAL_READ_OPENAPI: OpenAPIObject['paths'] = {
  '/v1/connections/{id}/credential': {
    post: {
      operationId: 'ConnectionsHttpController_credential',
      summary: "Hand out the connection's credential (audited; scope `credentials:read`)",
      description: 'A token that is due is renewed first. Never cached (`Cache-Control: no-store`).',
      parameters: [{ name: 'id', required: true, in: 'path', schema: { type: 'string', format: 'uuid' } }],
      requestBody: { required: false, content: { 'application/json': { schema: { $ref: getSchemaPath(ReadCredentialRequestDoc) } } } },
      responses: {
        '200': { description: 'The credential (audited by token-issuance).', content: { 'application/json': { schema: { $ref: getSchemaPath(CredentialDoc) } } } },
        '409': { description: '`connection_needs_reconnect`, or `credential_expired` (it cannot be renewed): the end user must connect again.' },
        '429': rateLimitedResponseDoc('credentialReads'),
        '503': { description: '`token_unavailable`: the token has expired and the provider could not renew it right now; retry shortly.' },
      },
      security: [{ bearer: [] }],
      tags: ['connections'],
    },
  },
};

export const CREDENTIAL_READ_MODELS = [ReadCredentialRequestDoc, CredentialDoc];
