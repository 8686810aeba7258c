import { Body, Controller, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { InternalApiGuard, notFound } from '@cb/platform';
import { uuidParam } from '../list-connections/connections.http.controller';
import { CredentialRefresher } from './credential-refresher';
import { ReportUnauthorizedRequestDto } from './report-unauthorized.request.dto';
import { refreshInFlight, refreshUnavailable } from '../token-issuance.errors';

export interface ReportUnauthorizedResponse {
  connectionId: string;
  /** refreshed: read the credential again; superseded: a newer credential exists already; needs_reconnect: the user must connect again. */
  outcome: 'refreshed' | 'superseded' | 'needs_reconnect';
  credentialVersion: number;
  status: 'active' | 'needs_reconnect';
}

/**
 * A caller's API answered 401 with the credential: refresh now (single flight, whatever the
 * expiry says), or mark the connection needs_reconnect when it cannot be renewed.
 */
@Controller('internal/v1/workspaces/:workspaceId/connections')
@UseGuards(InternalApiGuard)
export class ReportUnauthorizedHttpController {
  constructor(private readonly refresher: CredentialRefresher) {}

  @Post(':connectionId/report-unauthorized')
  @HttpCode(200)
  async report(
    @Param('workspaceId', uuidParam('workspace')) workspaceId: string,
    @Param('connectionId', uuidParam('connection')) connectionId: string,
    @Body() body: ReportUnauthorizedRequestDto,
  ): Promise<ReportUnauthorizedResponse> {
    // A transient failure is reported after its bookkeeping commits.
    const result = await this.refresher.refresh(
      connectionId,
      { kind: 'unauthorized_reported', ...(body.credentialVersion === undefined ? {} : { credentialVersion: body.credentialVersion }) },
      workspaceId,
    );
    if (!result.entry) throw notFound('connection');
    const { connection } = result.entry;
    const view = { connectionId, credentialVersion: connection.credentialVersion, status: connection.status };
    switch (result.outcome) {
      case 'refreshed':
        return { ...view, outcome: 'refreshed' };
      case 'needs_reconnect':
        return { ...view, outcome: 'needs_reconnect' };
      case 'transient_failure':
      case 'retry_later':
        throw refreshUnavailable(result.errorCode);
      case 'skipped':
        if (result.why === 'in_flight') throw refreshInFlight();
        return { ...view, outcome: result.why === 'needs_reconnect' ? 'needs_reconnect' : 'superseded' };
    }
  }
}
