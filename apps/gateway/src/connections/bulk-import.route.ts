import { Injectable, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { pipeline } from 'node:stream/promises';
import type { HotRoute } from '@cb/platform';
import { ApiKeyAuthenticator } from '../auth/api-key-authenticator';
import { UpstreamClient } from '../upstream';

const NDJSON = 'application/x-ndjson';
/** Each line is an import at the provider-free pace of the vault; the hop only gives up on silence. */
const HOP_TIMEOUT_MS = 120_000;

/**
 * `POST /v1/connections/import` with `Content-Type: application/x-ndjson`: the bulk import,
 * streamed to token-issuance as it arrives and its NDJSON report streamed back (mounted ahead of
 * body parsing, like the proxy). A JSON body takes the ordinary route of the same path.
 */
@Injectable()
export class BulkImportRoute implements HotRoute {
  readonly method = 'POST' as const;
  readonly path = /^\/v1\/connections\/import$/i;
  readonly template = '/v1/connections/import (ndjson)';
  private readonly logger = new Logger(BulkImportRoute.name);

  constructor(
    private readonly authenticator: ApiKeyAuthenticator,
    private readonly upstream: UpstreamClient,
  ) {}

  accepts(request: Request): boolean {
    return (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() === NDJSON;
  }

  async handle(request: Request, response: Response): Promise<void> {
    const caller = await this.authenticator.authenticate(request.headers.authorization, ['admin']);
    const answer = await this.upstream.stream('token-issuance', {
      method: 'POST',
      path: `/internal/v1/workspaces/${caller.workspaceId}/connections/import`,
      headers: { 'content-type': NDJSON, 'x-api-key-id': caller.apiKeyId },
      body: request,
      timeoutMs: HOP_TIMEOUT_MS,
    });
    const contentType = answer.headers['content-type'];
    response.writeHead(answer.statusCode, { 'content-type': typeof contentType === 'string' ? contentType : 'application/json', 'cache-control': 'no-store' });
    try {
      await pipeline(answer.body, response);
    } catch (error) {
      this.logger.warn({ errorName: (error as Error).name }, 'a bulk import report was cut short');
      response.destroy();
    }
  }
}
