import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { CredentialInput } from '@cb/auth-modes';
import { CredentialsSubmitted, CredentialsSubmittedPayload } from '@cb/events';
import type { InboxContext } from '@cb/messaging';
import { KEYRING } from '@cb/service-runtime';
import type { Keyring } from '@cb/vault-crypto';
import { ConnectorStore, LoadedConnector } from '../connectors/connector-store';
import { StoredCredential } from '../credential-vault/stored-credential';
import { ConnectOutcome } from '../exchange-code/connect-outcome';
import { CredentialVerifier } from '../verify-credential/credential-verifier';
import { clientCredentialsGrant, usesClientCredentials } from '../token-endpoint/client-credentials';
import { describeTokenError, issuedOAuthCredential, oauthCredential, TokenEndpoint } from '../token-endpoint/token-endpoint';

/** The transaction that records CredentialsSubmitted in the inbox. */
export type CredentialsSubmittedInbox = Pick<InboxContext, 'commit'>;

/**
 * Stores typed credentials (Basic, API key, bearer, custom input) and announces the connection with
 * TokenIssued; for a client-credentials connector, obtains the token without a user first, before
 * any transaction opens. Commits its changes with the inbox row (`inbox.commit`).
 */
@Injectable()
export class CaptureCredentialsUseCase {
  private readonly logger = new Logger(CaptureCredentialsUseCase.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly connectors: ConnectorStore,
    private readonly tokenEndpoint: TokenEndpoint,
    private readonly outcome: ConnectOutcome,
    private readonly verifier: CredentialVerifier,
    @Inject(KEYRING) private readonly keyring: Keyring,
  ) {}

  async capture(payload: CredentialsSubmittedPayload, inbox: CredentialsSubmittedInbox): Promise<void> {
    const connector = await this.connectors.find(this.dataSource.manager, payload.connectorId);
    if (!connector || connector.entity.workspaceId !== payload.workspaceId) throw new Error(`connector ${payload.connectorId} is not known yet`);
    if (payload.mode === 'OAUTH2') return this.clientCredentials(payload, inbox, connector);

    const input = JSON.parse(this.keyring.open(payload.sealedInput, `${CredentialsSubmitted.name}:${payload.connectionId}`)) as CredentialInput;
    const credential = storedCredential(input, connector);
    // Before anything is stored, with no transaction open: a rejected credential makes no connection.
    const verification = await this.verifier.verify(connector.config, credential, { tenant: payload.tenant, attributes: payload.attributes });
    if (!verification.ok) {
      this.logger.warn({ sessionId: payload.sessionId, errorCode: verification.code, providerStatus: verification.providerStatus }, 'the provider did not accept a submitted credential');
      await inbox.commit((manager) => this.outcome.failed(manager, payload, verification.code, verification.reason));
      return;
    }
    await inbox.commit((manager) =>
      this.outcome.connected(manager, payload, {
        connectorVersion: connector.entity.version,
        mode: payload.mode,
        credential,
        expiresAt: payload.expiresAt ?? null,
        refreshable: false,
        refreshMarginSeconds: 0,
      }),
    );
  }

  /** @see https://www.rfc-editor.org/rfc/rfc6749#section-4.4 */
  private async clientCredentials(payload: CredentialsSubmittedPayload, inbox: CredentialsSubmittedInbox, connector: LoadedConnector): Promise<void> {
    const config = connector.config;
    if (!usesClientCredentials(config)) {
      await inbox.commit((manager) => this.outcome.failed(manager, payload, 'wrong_mode', 'The connector does not use the client credentials grant.'));
      return;
    }
    const values = { tenant: payload.tenant ?? null, attributes: payload.attributes ?? {} };
    const result = await this.tokenEndpoint.request(connector, values, clientCredentialsGrant(config));
    if (!result.ok) {
      this.logger.warn({ sessionId: payload.sessionId, errorCode: result.code }, 'client credentials token request failed');
      await inbox.commit((manager) => this.outcome.failed(manager, payload, result.code, describeTokenError(result)));
      return;
    }
    const credential = oauthCredential(result, config.scopes, new Date(), this.tokenEndpoint.origins(connector, values));
    await inbox.commit((manager) => this.outcome.connected(manager, payload, { connectorVersion: connector.entity.version, ...issuedOAuthCredential(config, credential) }));
  }
}

/** Password fields with a secret default get it here, the only place that can open it. */
/** A typed credential as the vault keeps it, secret field defaults filled in. */
export function storedCredential(input: CredentialInput, connector: LoadedConnector): StoredCredential {
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
