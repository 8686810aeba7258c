import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { noteRequestWorkspace } from '@cb/platform';
import { ApiKeyEntity } from '../workspaces/api-key.entity';
import { ApiKeyCache } from './api-key-cache';
import { parseApiKey, secretMatches } from './api-key-format';
import type { WorkspaceContext } from './auth.decorators';
import { forbidden, unauthorized } from '../gateway.errors';

const NOTE_USE_INTERVAL_MS = 60_000;
const NOTED_KEYS_LIMIT = 10_000;


/**
 * Who is calling, from the `Authorization: Bearer <key>` header: a live workspace API key holding
 * every required scope, or 401 `unauthorized` / 403 `forbidden` naming the missing scopes. Used by
 * the global guard and by the hot credential-read route.
 */
@Injectable()
export class ApiKeyAuthenticator {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly keys: ApiKeyCache,
  ) {}

  async authenticate(authorization: string | undefined, requiredScopes: readonly string[]): Promise<WorkspaceContext> {
    const match = /^Bearer ([^\s]+)$/.exec(authorization ?? '');
    const parsed = match ? parseApiKey(match[1] as string) : undefined;
    if (!parsed) throw unauthorized();

    const key = await this.keys.lookup(parsed.publicId);
    if (!secretMatches(parsed.secret, key?.secretHash) || !key || key.revokedAt !== null) throw unauthorized();

    const missing = requiredScopes.filter((scope) => !key.scopes.includes(scope));
    if (missing.length > 0) throw forbidden(missing);
    this.noteUse(key.id);
    noteRequestWorkspace(key.workspaceId);
    return { workspaceId: key.workspaceId, apiKeyId: key.id, scopes: [...key.scopes] };
  }

  /** When this process last sent the last-used update for a key (ms); bounded, cleared when full. */
  private readonly notedAt = new Map<string, number>();

  /**
   * At most one write a minute per key; a failure here must not fail the request. The minute is
   * also kept in memory, so a busy key does not cost an UPDATE round trip on every request.
   */
  private noteUse(id: string): void {
    const now = Date.now();
    if (now - (this.notedAt.get(id) ?? 0) < NOTE_USE_INTERVAL_MS) return;
    if (this.notedAt.size >= NOTED_KEYS_LIMIT) this.notedAt.clear();
    this.notedAt.set(id, now);
    void this.dataSource
      .createQueryBuilder()
      .update(ApiKeyEntity)
      .set({ lastUsedAt: () => 'now()' })
      .where(`id = :id AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`, { id })
      .execute()
      .catch(() => undefined);
  }
}
