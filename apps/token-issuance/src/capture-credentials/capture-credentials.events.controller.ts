import { Controller, Inject, Logger } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { DataSource } from 'typeorm';
import type { CredentialInput } from '@cb/auth-modes';
import { CredentialsSubmitted, CredentialsSubmittedPayload } from '@cb/events';
import { InboxContext, outsideTransaction } from '@cb/messaging';
import { KEYRING } from '@cb/service-runtime';
import type { Keyring } from '@cb/vault-crypto';
import { ConnectorStore, LoadedConnector } from '../connectors/connector-store';
import { CredentialVault } from '../credential-vault/credential-vault';
import { StoredCredential } from '../credential-vault/stored-credential';
import { ConnectOutcome } from '../exchange-code/connect-outcome';
import { describeTokenError, oauthCredential, TokenEndpoint } from '../token-endpoint/token-endpoint';

/**
 * Stores typed credentials (Basic, API key, bearer, custom input) and announces the connection with
 * TokenIssued; for a client-credentials connector, obtains the token without a user first. Runs
 * outside the inbox transaction and commits its changes with the inbox row (ctx.commit).
 */
@Controller()
export class CaptureCredentialsEventsController {
  private readonly logger = new Logger(CaptureCredentialsEventsController.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly connectors: ConnectorStore,
    private readonly vault: CredentialVault,
    private readonly tokenEndpoint: TokenEndpoint,
    private readonly outcome: ConnectOutcome,
    @Inject(KEYRING) private readonly keyring: Keyring,
  ) {}

  @EventPattern(CredentialsSubmitted.topic, outsideTransaction())
  async submitted(@Payload() payload: CredentialsSubmittedPayload, @Ctx() ctx: InboxContext): Promise<void> {
    const connector = await this.connectors.find(this.dataSource.manager, payload.connectorId);
    if (!connector || connector.entity.workspaceId !== payload.workspaceId) throw new Error(`connector ${payload.connectorId} is not known yet`);
    if (payload.mode === 'OAUTH2') return this.clientCredentials(ctx, payload, connector);

    const input = JSON.parse(this.keyring.open(payload.sealedInput, `${CredentialsSubmitted.name}:${payload.connectionId}`)) as CredentialInput;
    await ctx.commit(async (manager) => {
      const existing = payload.reconnect ? await this.vault.loadForUpdate(manager, payload.connectionId, payload.workspaceId) : null;
      const reason = existing ? 'reconnect' : 'connect';
      const connection = await this.vault.save(manager, {
        connectionId: payload.connectionId,
        workspaceId: payload.workspaceId,
        connectorId: payload.connectorId,
        connectorVersion: connector.entity.version,
        mode: payload.mode,
        endUserId: existing?.connection.endUserId ?? payload.endUserId,
        tenant: payload.tenant ?? null,
        attributes: payload.attributes ?? {},
          credential: storedCredential(input, connector),
          expiresAt: payload.expiresAt ?? null,
          refreshable: false,
          refreshMarginSeconds: 0,
        sessionId: payload.sessionId,
        reason,
      });
      await this.vault.announce(manager, connection, reason, payload.sessionId);
      this.logger.log(`connection ${connection.id} holds credential version ${connection.credentialVersion}`);
    });
  }

  /** The token request runs before the inbox transaction opens. @see https://www.rfc-editor.org/rfc/rfc6749#section-4.4 */
  private async clientCredentials(ctx: InboxContext, payload: CredentialsSubmittedPayload, connector: LoadedConnector): Promise<void> {
    const config = connector.config;
    if (config.mode !== 'OAUTH2' || config.grantType !== 'client_credentials') {
      await ctx.commit((manager) => this.outcome.failed(manager, payload, 'wrong_mode', 'The connector does not use the client credentials grant.'));
      return;
    }
    const result = await this.tokenEndpoint.request(
      connector,
      { tenant: payload.tenant ?? null, attributes: payload.attributes ?? {} },
      { grantType: 'client_credentials', ...(config.scopes.length ? { scope: config.scopes.join(config.scopeSeparator) } : {}) },
    );
    if (!result.ok) {
      this.logger.warn(`client credentials token for session ${payload.sessionId} failed: ${result.code}`);
      await ctx.commit((manager) => this.outcome.failed(manager, payload, result.code, describeTokenError(result)));
      return;
    }
    const credential = oauthCredential(result, config.scopes, new Date(), this.tokenEndpoint.origins(connector, { tenant: payload.tenant ?? null, attributes: payload.attributes ?? {} }));
    await ctx.commit(async (manager) => {
      const reason = payload.reconnect && (await this.vault.loadForUpdate(manager, payload.connectionId, payload.workspaceId)) ? 'reconnect' : 'connect';
      const connection = await this.vault.save(manager, {
        connectionId: payload.connectionId,
        workspaceId: payload.workspaceId,
        connectorId: payload.connectorId,
        connectorVersion: connector.entity.version,
        mode: 'OAUTH2',
        endUserId: payload.endUserId,
        tenant: payload.tenant ?? null,
        attributes: payload.attributes ?? {},
        credential,
        expiresAt: credential.expiresAt,
        // A new token comes from the client credentials themselves, on demand (no refresh token).
        refreshable: false,
        refreshMarginSeconds: config.refreshMarginSeconds,
        sessionId: payload.sessionId,
        reason,
      });
      await this.vault.announce(manager, connection, reason, payload.sessionId);
    });
  }
}

/** Password fields with a secret default get it here, the only place that can open it. */
function storedCredential(input: CredentialInput, connector: LoadedConnector): StoredCredential {
  switch (input.mode) {
    case 'BASIC':
      return { type: 'basic', username: input.username, password: input.password };
    case 'API_KEY':
      return { type: 'api_key', apiKey: input.apiKey };
    case 'BEARER':
      return { type: 'bearer', token: input.token };
    case 'CUSTOM': {
      const defaults = connector.secretFieldDefaults();
      const fields: Record<string, string | number> = { ...input.values };
      for (const [key, value] of Object.entries(defaults)) if (fields[key] === undefined) fields[key] = value;
      return { type: 'custom', fields };
    }
  }
}
