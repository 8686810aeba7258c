import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppError, HealthController } from '@cb/platform';
import { ApiKeyEntity } from '../workspaces/api-key.entity';
import { ApiKeyCache } from './api-key-cache';
import { parseApiKey, secretMatches } from './api-key-format';
import { PUBLIC_ROUTE, REQUIRED_SCOPES, RequestWithWorkspace } from './auth.decorators';

const NOTE_USE_INTERVAL_MS = 60_000;
const NOTED_KEYS_LIMIT = 10_000;

const unauthorized = (): AppError => new AppError('unauthorized', 'a valid API key is required: Authorization: Bearer <key>', 401);

/**
 * The gateway's global guard: every route needs a live workspace API key unless marked
 * `@Public()`, and the key must hold the scopes named by `@RequireScopes`.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly keys: ApiKeyCache,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (context.getClass() === HealthController || this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;

    const request = context.switchToHttp().getRequest<RequestWithWorkspace>();
    const header = request.header('authorization') ?? '';
    const match = /^Bearer ([^\s]+)$/.exec(header);
    const parsed = match ? parseApiKey(match[1] as string) : undefined;
    if (!parsed) throw unauthorized();

    const key = await this.keys.lookup(parsed.publicId);
    if (!secretMatches(parsed.secret, key?.secretHash) || !key || key.revokedAt !== null) throw unauthorized();

    const required = this.reflector.getAllAndOverride<string[] | undefined>(REQUIRED_SCOPES, targets) ?? [];
    const missing = required.filter((scope) => !key.scopes.includes(scope));
    if (missing.length > 0) {
      throw new AppError('forbidden', `this API key lacks the scope${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`, 403, { missingScopes: missing });
    }
    request.workspace = { workspaceId: key.workspaceId, apiKeyId: key.id, scopes: [...key.scopes] };
    this.noteUse(key.id);
    return true;
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
