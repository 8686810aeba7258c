import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { validateRequiredAttributes } from '@cb/auth-modes';
import { notFound, validationFailed } from '@cb/platform';
import { parseConnectionPatch } from '../connection-profile/connection-patch';
import { ConnectionProfiles } from '../connection-profile/connection-profiles';
import { ConnectorStore } from '../connectors/connector-store';
import { ConnectionEntity } from '../credential-vault/connection.entity';
import { CredentialVault } from '../credential-vault/credential-vault';
import { boundToApiOrigin } from '../proxy/api-origin';
import { TokenEndpoint } from '../token-endpoint/token-endpoint';
import { TOKEN_ISSUANCE_CONFIG, type TokenIssuanceConfig } from '../token-issuance.config';
import { connectionExists, importConnectorNotActive } from '../token-issuance.errors';
import { ConnectionImportEntity } from './connection-import.entity';
import { ImportConnectionRequestDto } from './import-connection.request.dto';
import { parseImportedCredential } from './imported-credential';

/**
 * A connection made elsewhere, stored as if it had just been connected: sealed in the vault,
 * announced with TokenIssued (reason `import`, so token-refresh schedules it like a connect), its
 * profile written, and the import audited (who, when; never the secret), in one transaction.
 */
@Injectable()
export class ImportConnectionService {
  private readonly logger = new Logger(ImportConnectionService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly connectors: ConnectorStore,
    private readonly tokenEndpoint: TokenEndpoint,
    private readonly vault: CredentialVault,
    private readonly profiles: ConnectionProfiles,
    @Inject(TOKEN_ISSUANCE_CONFIG) private readonly config: TokenIssuanceConfig,
  ) {}

  async import(workspaceId: string, apiKeyId: string, request: ImportConnectionRequestDto): Promise<ConnectionEntity> {
    const connector = await this.connectors.find(this.dataSource.manager, request.connectorId);
    if (!connector || connector.entity.workspaceId !== workspaceId) throw notFound('connector');
    if (!connector.entity.active) throw importConnectorNotActive(request.connectorId);
    const attributes = validateRequiredAttributes(connector.config, request.attributes, request.tenant);
    if (!attributes.ok) throw validationFailed(attributes.errors);
    const profile = request.metadata !== undefined || request.tags !== undefined ? parseConnectionPatch({ ...pick(request, 'metadata'), ...pick(request, 'tags') }) : undefined;
    const values = { tenant: attributes.value.tenant ?? null, attributes: attributes.value.attributes };
    const now = new Date();
    const obtained = parseImportedCredential(connector, request.credential, this.tokenEndpoint.origins(connector, values), now);
    const connectionId = request.connectionId ?? randomUUID();
    const { id: endUserId, ...endUser } = request.endUser;

    const connection = await this.dataSource.transaction(async (manager) => {
      if (await manager.getRepository(ConnectionEntity).existsBy({ id: connectionId })) throw connectionExists(connectionId);
      const issued = await this.vault.issue(manager, {
        ...obtained,
        credential: boundToApiOrigin(obtained.credential, connector.config, values, this.config.outbound.admitInternalAddresses),
        connectionId,
        workspaceId,
        connectorId: connector.entity.connectorId,
        connectorVersion: connector.entity.version,
        endUserId,
        tenant: values.tenant,
        attributes: { ...values.attributes },
        reason: 'import',
      });
      await this.profiles.recordEndUser(manager, issued, endUser);
      if (profile) await this.profiles.apply(manager, issued, profile);
      await manager
        .getRepository(ConnectionImportEntity)
        .insert({ workspaceId, connectionId, connectorId: issued.connectorId, mode: issued.mode, apiKeyId, importedAt: now });
      return issued;
    });
    this.logger.log({ connectionId, connectorId: connection.connectorId, mode: connection.mode, apiKeyId }, 'connection imported');
    return connection;
  }
}

function pick<K extends 'metadata' | 'tags'>(request: ImportConnectionRequestDto, key: K): Partial<Pick<ImportConnectionRequestDto, K>> {
  return request[key] === undefined ? {} : ({ [key]: request[key] } as Partial<Pick<ImportConnectionRequestDto, K>>);
}
