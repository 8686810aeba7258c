import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { AuthConfig, configFromTemplate, splitSecrets, type ProviderTemplate } from '@cb/auth-modes';
import { AppError, FieldProblem } from '@cb/platform';
import { ConnectorAuditTrail } from '../connector-changes/connector-audit-trail';
import { CONNECTOR_CONFIG_CONFIG, type ConnectorConfigConfig } from '../connector-config.config';
import { ConnectorSecrets } from '../connectors/connector-secrets';
import { ConnectorEntity } from '../connectors/connector.entity';
import { ConnectorResponse, toConnectorResponse } from '../connectors/connector.mapper';
import { ConnectorStore, rethrowUniqueSlug } from '../connectors/connector.store';
import { checkAuthConfig, checkEnvelope, failIfAny } from '../connectors/request-validation';
import { WorkspaceTemplates } from '../connector-templates/workspace-templates';
import { CreateConnectorRequestDto, CreateFromTemplateRequestDto } from './create-connector.request.dto';

interface NewConnector {
  slug: string;
  name: string;
  config: AuthConfig;
  templateId: string | null;
}

/** Creates a draft connector, from scratch or from a provider template. Nothing is written on any problem. */
@Injectable()
export class CreateConnectorService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(CONNECTOR_CONFIG_CONFIG) private readonly config: ConnectorConfigConfig,
    private readonly store: ConnectorStore,
    private readonly secrets: ConnectorSecrets,
    private readonly audit: ConnectorAuditTrail,
    private readonly templates: WorkspaceTemplates,
  ) {}

  /** `alongside` writes what belongs with the new connector in the same transaction. */
  async create(workspaceId: string, body: unknown, actor: string, alongside?: (manager: EntityManager, connectorId: string) => Promise<void>): Promise<ConnectorResponse> {
    const input = await this.parse(workspaceId, body);
    const { publicConfig, secrets } = splitSecrets(input.config);
    return this.dataSource.transaction(async (manager) => {
      await this.store.assertSlugFree(manager, workspaceId, input.slug);
      const id = randomUUID();
      const now = new Date();
      const connector = manager.create(ConnectorEntity, {
        id,
        workspaceId,
        slug: input.slug,
        name: input.name,
        mode: input.config.mode,
        status: 'draft',
        version: 1,
        config: publicConfig,
        sealedSecrets: this.secrets.seal(id, secrets),
        templateId: input.templateId,
        createdAt: now,
        updatedAt: now,
        activatedAt: null,
        deactivatedAt: null,
      });
      await manager.insert(ConnectorEntity, connector).catch((error: unknown) => rethrowUniqueSlug(error, input.slug));
      await this.audit.record(manager, connector, 'created', actor, null, { slug: connector.slug, name: connector.name, config: publicConfig, secrets });
      await alongside?.(manager, id);
      return toConnectorResponse(connector);
    });
  }

  private async parse(workspaceId: string, body: unknown): Promise<NewConnector> {
    const fromTemplate = typeof body === 'object' && body !== null && 'templateId' in body;
    return fromTemplate ? this.parseTemplateRequest(workspaceId, body) : this.parseScratchRequest(body);
  }

  private parseScratchRequest(body: unknown): NewConnector {
    const envelope = checkEnvelope(CreateConnectorRequestDto, body);
    const problems: FieldProblem[] = [...envelope.problems];
    const raw: unknown = (body as { config?: unknown } | null)?.config;
    let config: AuthConfig | undefined;
    if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
      const checked = checkAuthConfig(raw, { allowInsecureLoopback: this.allowLoopback(), prefix: 'config' });
      problems.push(...checked.problems);
      config = checked.value;
    }
    failIfAny(problems);
    return { slug: envelope.value.slug, name: envelope.value.name, config: config as AuthConfig, templateId: null };
  }

  /** The template as the workspace sees it (its override applied), with the client registration for OAuth2. */
  private async parseTemplateRequest(workspaceId: string, body: unknown): Promise<NewConnector> {
    const envelope = checkEnvelope(CreateFromTemplateRequestDto, body);
    const problems: FieldProblem[] = [...envelope.problems];
    const request = envelope.value;
    const template = typeof request.templateId === 'string' ? await this.findTemplate(workspaceId, request.templateId) : undefined;
    if (typeof request.templateId === 'string' && template === undefined) problems.push({ path: 'templateId', message: 'templateId names no known template' });
    if (template?.mode === 'OAUTH2' && request.clientId === undefined) problems.push({ path: 'clientId', message: 'clientId is required for an OAuth2 template' });
    if (template !== undefined && template.mode !== 'OAUTH2') {
      for (const path of ['clientId', 'clientSecret', 'scopes'] as const) {
        if (request[path] !== undefined) problems.push({ path, message: `${path} applies only to OAuth2 templates` });
      }
    }
    failIfAny(problems);
    if (!template) throw new Error('unreachable: template checked above');

    const input = configFromTemplate(template, {
      ...(request.clientId === undefined ? {} : { clientId: request.clientId }),
      ...(request.clientSecret === undefined ? {} : { clientSecret: request.clientSecret }),
      ...(request.scopes === undefined ? {} : { scopes: request.scopes }),
    });
    // The members a caller supplies are named at the root of the request; the rest come from the template.
    const checked = checkAuthConfig(input, { allowInsecureLoopback: this.allowLoopback(), prefix: '' });
    failIfAny(checked.problems);
    return { slug: request.slug ?? template.id, name: request.name ?? template.name, config: checked.value as AuthConfig, templateId: template.id };
  }

  private async findTemplate(workspaceId: string, templateId: string): Promise<ProviderTemplate | undefined> {
    try {
      return (await this.templates.get(workspaceId, templateId)).template;
    } catch (error) {
      if (error instanceof AppError && error.code === 'unknown_template') return undefined;
      throw error;
    }
  }

  private allowLoopback(): boolean {
    return this.config.runMode === 'development';
  }
}
