import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { validateRequiredAttributes } from '@cb/auth-modes';
import { validationFailed } from '@cb/platform';
import { ConnectSessionEntity } from '../connect-sessions/connect-session.entity';
import { publicStatus } from '../connect-sessions/connect-session.mapper';
import { findSessionByToken } from '../connect-sessions/find-session';
import { asksEndUser, missingAttributes } from '../connect-sessions/missing-attributes';
import { OpenConnectSessionService } from '../connect-sessions/open-connect-session.service';
import { ConnectorEntity } from '../connectors/connector.entity';
import { notAnOAuthSession, sessionExpired, sessionNotPending } from '../oauth-authorization.errors';

/**
 * The connect dialog's answer for the required attributes the app did not pass (a Salesforce login
 * host, a Zendesk subdomain). Only missing ones may be given: what the app set stays as it set it.
 * An OAuth session answers with the sign-in address, now that the URLs can be filled in; a typed
 * credential session answers nothing more (its credentials are submitted next).
 */
@Injectable()
export class SubmitAttributesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly sessions: OpenConnectSessionService,
  ) {}

  async submit(sessionToken: string | undefined, body: unknown): Promise<{ authorizationUrl?: string }> {
    return this.dataSource.transaction(async (manager) => {
      const session = await findSessionByToken(manager, sessionToken, true);
      const given = (body as { attributes?: unknown } | null | undefined)?.attributes;
      if (typeof given !== 'object' || given === null || Array.isArray(given)) throw validationFailed([{ path: 'attributes', message: 'attributes must be an object of values by key' }]);
      const status = publicStatus(session);
      if (status === 'expired') throw sessionExpired();
      if (status !== 'pending' || session.status !== 'pending') throw sessionNotPending(status);
      const connector = await manager.getRepository(ConnectorEntity).findOne({ where: { connectorId: session.connectorId, workspaceId: session.workspaceId } });
      const config = connector?.config;
      if (config === undefined || !asksEndUser(config)) throw notAnOAuthSession();
      const missing = new Set(missingAttributes(config, session.attributes));
      const alreadySet = Object.keys(given).filter((key) => !missing.has(key) && key in session.attributes);
      if (alreadySet.length > 0) throw validationFailed(alreadySet.map((key) => ({ path: `attributes.${key}`, message: `${key} was set when the session was opened` })));
      const result = validateRequiredAttributes(config, { ...session.attributes, ...given }, session.tenant ?? undefined);
      if (!result.ok) throw validationFailed(result.errors);
      const attributes = { ...result.value.attributes };
      await manager.getRepository(ConnectSessionEntity).update({ id: session.id }, { attributes, updatedAt: new Date() });
      return config.mode === 'OAUTH2' ? { authorizationUrl: await this.sessions.authorizationUrl(manager, { ...session, attributes }, config) } : {};
    });
  }
}
