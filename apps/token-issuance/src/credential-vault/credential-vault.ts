import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { EntityRowReader } from '@cb/platform';
import { TokenIssued, TokenIssuedPayload } from '@cb/events';
import { OutboxWriter } from '@cb/messaging';
import { KEYRING } from '@cb/service-runtime';
import { keyIdOf, type Keyring } from '@cb/vault-crypto';
import { connectionContext, ConnectionEntity } from './connection.entity';
import { StoredCredential } from './stored-credential';

export interface VaultEntry {
  connection: ConnectionEntity;
  credential: StoredCredential;
}

/** Everything needed to issue a credential; the non-secret columns are derived from it here. */
export interface IssueCredential {
  connectionId: string;
  workspaceId: string;
  connectorId: string;
  connectorVersion: number;
  mode: ConnectionEntity['mode'];
  endUserId: string;
  tenant?: string | null;
  attributes?: Record<string, string>;
  credential: StoredCredential;
  /** ISO time or null (oauth2 takes it from the credential). */
  expiresAt: string | null;
  refreshable: boolean;
  refreshMarginSeconds: number;
  sessionId?: string | null;
  reason: TokenIssuedPayload['reason'];
}

/**
 * The vault of connection credentials: one sealed credential per connection (AES-256-GCM, key id in
 * each value, AAD `connections:<id>`). Callers pass the transaction; `loadForUpdate` takes the row
 * lock so that a refresh and a reconnect never interleave. Every new credential (connect, reconnect,
 * refresh) goes through {@link issue}.
 */
@Injectable()
export class CredentialVault {
  private readonly inWorkspace: EntityRowReader<ConnectionEntity>;
  private readonly lockedInWorkspace: EntityRowReader<ConnectionEntity>;
  private readonly locked: EntityRowReader<ConnectionEntity>;

  constructor(
    @Inject(KEYRING) private readonly keyring: Keyring,
    private readonly outbox: OutboxWriter,
    dataSource: DataSource,
  ) {
    this.inWorkspace = new EntityRowReader(dataSource, ConnectionEntity, 'id = $1 AND workspace_id = $2');
    this.lockedInWorkspace = new EntityRowReader(dataSource, ConnectionEntity, 'id = $1 AND workspace_id = $2 FOR UPDATE');
    this.locked = new EntityRowReader(dataSource, ConnectionEntity, 'id = $1 FOR UPDATE');
  }

  /** Reads and opens a workspace's connection without a lock (the credential read's path). */
  async load(manager: EntityManager, connectionId: string, workspaceId: string): Promise<VaultEntry | null> {
    const connection = await this.inWorkspace.one(manager, [connectionId, workspaceId]);
    return connection ? { connection, credential: this.open(connection) } : null;
  }

  /** `SELECT … FOR UPDATE` then opens; hold the transaction open for the whole read-modify-write. */
  async loadForUpdate(manager: EntityManager, connectionId: string, workspaceId?: string): Promise<VaultEntry | null> {
    const connection = workspaceId ? await this.lockedInWorkspace.one(manager, [connectionId, workspaceId]) : await this.locked.one(manager, [connectionId]);
    return connection ? { connection, credential: this.open(connection) } : null;
  }

  open(connection: ConnectionEntity): StoredCredential {
    return JSON.parse(this.keyring.open(connection.sealedCredential, connectionContext(connection.id))) as StoredCredential;
  }

  /**
   * Issues a credential: seals and stores it (the connection inserted, or its credential replaced
   * with credential version + 1 and status active) and announces it with TokenIssued, all in the
   * caller's transaction. Lock the row first with {@link loadForUpdate} when it may exist.
   */
  async issue(manager: EntityManager, input: IssueCredential): Promise<ConnectionEntity> {
    const connection = await this.save(manager, input);
    await this.announce(manager, connection, input.reason, input.sessionId);
    return connection;
  }

  private async save(manager: EntityManager, input: IssueCredential): Promise<ConnectionEntity> {
    const repository = manager.getRepository(ConnectionEntity);
    const existing = await this.locked.one(manager, [input.connectionId]);
    if (existing && (existing.workspaceId !== input.workspaceId || existing.connectorId !== input.connectorId)) {
      throw new Error(`connection ${input.connectionId} belongs to another workspace or connector`);
    }
    const sealed = this.keyring.seal(JSON.stringify(input.credential), connectionContext(input.connectionId));
    const now = new Date();
    const oauth = input.credential.type === 'oauth2' ? input.credential : undefined;
    const row: ConnectionEntity = {
      id: input.connectionId,
      workspaceId: input.workspaceId,
      connectorId: input.connectorId,
      connectorVersion: input.connectorVersion,
      mode: input.mode,
      endUserId: input.endUserId,
      tenant: input.tenant ?? existing?.tenant ?? null,
      attributes: input.attributes ?? existing?.attributes ?? {},
      status: 'active',
      credentialVersion: (existing?.credentialVersion ?? 0) + 1,
      sealedCredential: sealed,
      credentialKeyId: keyIdOf(sealed) ?? this.keyring.primaryKeyId,
      scopes: oauth?.scopes ?? [],
      tokenType: oauth?.tokenType ?? null,
      expiresAt: input.expiresAt ? new Date(input.expiresAt) : null,
      refreshable: input.refreshable,
      refreshMarginSeconds: input.refreshMarginSeconds,
      lastSessionId: input.sessionId ?? existing?.lastSessionId ?? null,
      lastRefreshedAt: input.reason === 'refresh' ? now : (existing?.lastRefreshedAt ?? null),
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
    };
    // The row is locked (or known absent) already: no `save`, which would SELECT it again first.
    const { id, ...columns } = row;
    if (existing) await repository.update({ id }, columns);
    else await repository.insert(row);
    return row;
  }

  /** TokenIssued for the connection's current credential (no secret inside). */
  private async announce(manager: EntityManager, connection: ConnectionEntity, reason: TokenIssuedPayload['reason'], sessionId?: string | null): Promise<void> {
    await this.outbox.append(manager, TokenIssued, {
      connectionId: connection.id,
      workspaceId: connection.workspaceId,
      connectorId: connection.connectorId,
      endUserId: connection.endUserId,
      connectorVersion: connection.connectorVersion,
      mode: connection.mode,
      reason,
      ...(sessionId ? { sessionId } : {}),
      scopes: connection.scopes,
      expiresAt: connection.expiresAt?.toISOString() ?? null,
      refreshable: connection.refreshable,
      refreshMarginSeconds: connection.refreshMarginSeconds,
      credentialVersion: connection.credentialVersion,
      issuedAt: new Date().toISOString(),
    });
  }
}
