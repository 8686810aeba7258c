import { Injectable } from '@nestjs/common';
import { AppError } from '@cb/platform';
import { UpstreamClient } from '../upstream';
import { connectorNotActive, connectorNotReady } from '../gateway.errors';

/** How long an activation waits for the connect path to see it, and how often it looks. */
export const PROJECTION_WAIT_MS = 10_000;
const PROJECTION_POLL_MS = 25;

interface ProjectionView {
  version: number;
  active: boolean;
}

interface ConnectorView {
  status: string;
}

/**
 * Connectors reach oauth-authorization through ConnectorActivated, a moment after connector-config
 * commits them. Activation waits (bounded) for that projection, and a connector that is active but
 * not projected yet is reported as not ready (503, retry) instead of missing.
 */
@Injectable()
export class ConnectorReadiness {
  constructor(private readonly upstream: UpstreamClient) {}

  /** True once oauth-authorization holds `version` (or later) in the given state; false at the deadline. */
  async waitForProjection(workspaceId: string, connectorId: string, version: number, active: boolean, timeoutMs = PROJECTION_WAIT_MS): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const projected = await this.projection(workspaceId, connectorId);
      if (projected && projected.version >= version && projected.active === active) return true;
      if (Date.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, PROJECTION_POLL_MS));
    }
  }

  /**
   * What to answer when the connect path does not know a connector or knows it inactive: 503
   * `connector_not_ready` while its activation is on its way, 409 when it is a draft or inactive,
   * or the original error when connector-config does not know it either.
   */
  async whyNotConnectable(workspaceId: string, connectorId: unknown, original: AppError): Promise<AppError> {
    if (typeof connectorId !== 'string') return original;
    let connector: ConnectorView;
    try {
      connector = (await this.upstream.request<ConnectorView>('connector-config', { method: 'GET', path: `/internal/v1/workspaces/${workspaceId}/connectors/${encodeURIComponent(connectorId)}` })).body;
    } catch (error) {
      if (error instanceof AppError && error.status === 404) return original;
      throw error;
    }
    return connector.status === 'active' ? connectorNotReady() : connectorNotActive();
  }

  private async projection(workspaceId: string, connectorId: string): Promise<ProjectionView | undefined> {
    try {
      return (await this.upstream.request<ProjectionView>('oauth-authorization', { method: 'GET', path: `/internal/v1/workspaces/${workspaceId}/connectors/${connectorId}/projection` })).body;
    } catch (error) {
      // not there yet, or oauth-authorization away for a moment: the activation itself has happened
      if (error instanceof AppError && (error.status === 404 || error.retriable)) return undefined;
      throw error;
    }
  }
}
