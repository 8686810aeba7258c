import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { credentialExpiry, validateCredentialInput, type AuthConfig, type CustomInputConfig } from '@cb/auth-modes';
import { CredentialsSubmitted } from '@cb/events';
import { OutboxWriter } from '@cb/messaging';
import { validationFailed } from '@cb/platform';
import { KEYRING } from '@cb/service-runtime';
import type { Keyring } from '@cb/vault-crypto';
import { findSessionByToken } from '../connect-sessions/find-session';
import { ConnectSessionEntity } from '../connect-sessions/connect-session.entity';
import { publicStatus } from '../connect-sessions/connect-session.mapper';
import { endUserMember, profileMember } from '../connect-sessions/end-user';
import { ConnectorEntity } from '../connectors/connector.entity';
import { attributesRequired, connectorNotActive, credentialsAlreadySubmitted, sessionExpired, wrongMode } from '../oauth-authorization.errors';
import { missingAttributes } from '../connect-sessions/missing-attributes';

/**
 * Takes what the end user typed for a Basic, API key, bearer or custom input connector, validates it
 * against the connector, and hands it to token-issuance sealed. Nothing is stored here.
 */
@Injectable()
export class SubmitCredentialsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
    @Inject(KEYRING) private readonly keyring: Keyring,
  ) {}

  async submit(sessionToken: string | undefined, input: unknown): Promise<{ sessionId: string; status: 'pending' }> {
    return this.dataSource.transaction(async (manager) => {
      const session = await findSessionByToken(manager.connection, sessionToken);
      const locked = await manager.getRepository(ConnectSessionEntity).findOneOrFail({ where: { id: session.id }, lock: { mode: 'pessimistic_write' } });
      const status = publicStatus(locked);
      if (status === 'expired') throw sessionExpired();
      if (locked.status !== 'pending') throw credentialsAlreadySubmitted();
      const connector = await manager.getRepository(ConnectorEntity).findOne({ where: { connectorId: locked.connectorId } });
      if (!connector || !connector.active) throw connectorNotActive();
      if (connector.mode === 'OAUTH2') throw wrongMode();
      const missing = missingAttributes(connector.config, locked.attributes);
      if (missing.length > 0) throw attributesRequired(missing);
      const config = withSecretDefaultsOptional(connector.config, connector.secretFieldDefaults);
      const result = validateCredentialInput(config, input);
      if (!result.ok) throw validationFailed(result.errors);
      const expiresAt = credentialExpiry(config, result.value, new Date());
      await this.outbox.append(manager, CredentialsSubmitted, {
        sessionId: locked.id,
        connectionId: locked.connectionId,
        workspaceId: locked.workspaceId,
        connectorId: locked.connectorId,
        connectorVersion: connector.version,
        endUserId: locked.endUserId,
        ...endUserMember(locked),
        ...profileMember(locked),
        reconnect: locked.reconnect,
        ...(locked.tenant === null ? {} : { tenant: locked.tenant }),
        attributes: locked.attributes,
        mode: result.value.mode,
        sealedInput: this.keyring.seal(JSON.stringify(result.value), `${CredentialsSubmitted.name}:${locked.connectionId}`),
        ...(expiresAt ? { expiresAt: expiresAt.toISOString() } : {}),
        submittedAt: new Date().toISOString(),
      });
      await manager.getRepository(ConnectSessionEntity).update({ id: locked.id }, { status: 'authorized', updatedAt: new Date() });
      return { sessionId: locked.id, status: 'pending' as const };
    });
  }
}

/**
 * A password field whose default is a secret arrives here without it (token-issuance holds it):
 * such a field may be left empty, and token-issuance fills in the default.
 */
function withSecretDefaultsOptional(config: AuthConfig, secretDefaults: string[]): AuthConfig {
  if (config.mode !== 'CUSTOM' || secretDefaults.length === 0) return config;
  const fields = config.fields.map((field) =>
    secretDefaults.includes(field.key) ? { ...field, required: false, hidden: false, disabled: false } : field,
  );
  return { ...config, fields } satisfies CustomInputConfig;
}
