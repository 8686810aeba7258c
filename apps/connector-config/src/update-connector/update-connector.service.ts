import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { isDeepStrictEqual } from 'node:util';
import { DataSource, type EntityManager } from 'typeorm';
import { activationGaps, AuthConfig, mergeSecrets, splitSecrets } from '@cb/auth-modes';
import { FieldProblem } from '@cb/platform';
import { ConnectorAuditTrail } from '../connector-changes/connector-audit-trail';
import { CONNECTOR_CONFIG_CONFIG, type ConnectorConfigConfig } from '../connector-config.config';
import { ConnectorAnnouncer } from '../connectors/connector.announcer';
import { UpdateConnectorRequestDto } from '../connectors/connector-envelope.dto';
import { ConnectorSecrets } from '../connectors/connector-secrets';
import { ConnectorEntity } from '../connectors/connector.entity';
import { ConnectorResponse, toConnectorResponse } from '../connectors/connector.mapper';
import { ConnectorStore, rethrowUniqueSlug } from '../connectors/connector.store';
import { checkAuthConfig, checkEnvelope, failIfAny } from '../connectors/request-validation';
import { secretReentryProblems } from './secret-reentry';
import { clientSecretRequired, modeChangeRefused } from '../connector-config.errors';

/** A connector's editable values, its secrets opened. */
export interface ConnectorValues {
  slug: string;
  name: string;
  config: AuthConfig;
  secrets: Record<string, string>;
}

/**
 * PATCH semantics: `slug`, `name` and `config` replace the stored values when given. `config` is a
 * whole configuration, except that secrets it omits keep their stored values. The mode may change
 * only while the connector is a draft. A change to a connector that has been activated bumps its
 * version; an active connector announces the new version at once.
 */
@Injectable()
export class UpdateConnectorService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(CONNECTOR_CONFIG_CONFIG) private readonly config: ConnectorConfigConfig,
    private readonly store: ConnectorStore,
    private readonly secrets: ConnectorSecrets,
    private readonly announcer: ConnectorAnnouncer,
    private readonly audit: ConnectorAuditTrail,
  ) {}

  async update(workspaceId: string, id: string, body: unknown, actor: string): Promise<ConnectorResponse> {
    const envelope = checkEnvelope(UpdateConnectorRequestDto, body);
    const problems: FieldProblem[] = [...envelope.problems];
    const raw: unknown = (body as { config?: unknown } | null)?.config;
    let submitted: AuthConfig | undefined;
    if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
      const checked = checkAuthConfig(raw, { allowInsecureLoopback: this.config.runMode === 'development', prefix: 'config' });
      problems.push(...checked.problems);
      submitted = checked.value;
    }
    failIfAny(problems);
    const request = envelope.value;

    return this.dataSource.transaction(async (manager) => {
      const connector = await this.store.findOrFail(manager, workspaceId, id, { lock: true });
      const storedSecrets = this.secrets.open(connector.id, connector.sealedSecrets);
      let config = connector.config;
      let secrets = storedSecrets;
      if (submitted) {
        if (submitted.mode !== connector.mode && connector.status !== 'draft') {
          throw modeChangeRefused(connector.status);
        }
        const merged = mergeSecrets(submitted, storedSecrets);
        if (connector.status === 'active') {
          const gaps = activationGaps(merged).map((gap) => ({ path: `config.${gap.path}`, message: gap.message }));
          failIfAny(gaps);
        }
        // an incomplete configuration is named first; a complete one that moves the secret needs it again
        const reentry = secretReentryProblems(connector.config, submitted, submittedClientSecret(submitted), storedSecrets.clientSecret !== undefined);
        if (reentry.length > 0) throw clientSecretRequired(reentry);
        ({ publicConfig: config, secrets } = splitSecrets(merged));
      }
      const slug = request.slug ?? connector.slug;
      const name = request.name ?? connector.name;
      if (slug !== connector.slug) await this.store.assertSlugFree(manager, workspaceId, slug, connector.id);

      return this.save(manager, connector, { slug, name, config, secrets }, storedSecrets, actor);
    });
  }

  /**
   * Stores a connector's new values in the caller's transaction, the connector locked and its
   * secrets opened by the caller: nothing happens when nothing changed; otherwise the version is
   * bumped (after activation), the change audited and an active connector announced again.
   */
  async save(manager: EntityManager, connector: ConnectorEntity, next: ConnectorValues, storedSecrets: Record<string, string>, actor: string): Promise<ConnectorResponse> {
    const { slug, name, config, secrets } = next;
    const changed = slug !== connector.slug || name !== connector.name || !isDeepStrictEqual(config, connector.config) || !isDeepStrictEqual(secrets, storedSecrets);
    if (!changed) return toConnectorResponse(connector);

    const now = new Date();
    const before = { slug: connector.slug, name: connector.name, config: connector.config, secrets: storedSecrets };
    const updated: ConnectorEntity = Object.assign(connector, {
      slug,
      name,
      mode: config.mode,
      config,
      sealedSecrets: isDeepStrictEqual(secrets, storedSecrets) ? connector.sealedSecrets : this.secrets.seal(connector.id, secrets),
      version: connector.status === 'draft' ? connector.version : connector.version + 1,
      updatedAt: now,
    });
    await manager.save(ConnectorEntity, updated).catch((error: unknown) => rethrowUniqueSlug(error, slug));
    await this.audit.record(manager, updated, 'updated', actor, before, { slug, name, config, secrets });
    if (updated.status === 'active') await this.announcer.activated(manager, updated, secrets, now);
    return toConnectorResponse(updated);
  }
}

function submittedClientSecret(config: AuthConfig): boolean {
  return config.mode === 'OAUTH2' && config.clientSecret !== undefined;
}
