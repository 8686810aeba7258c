import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { notFound, validationFailed } from '@cb/platform';
import { WEBHOOK_SETTINGS, type WebhookSettings } from '../webhooks.config';
import { endpointLimitReached } from '../webhooks.errors';
import { rowsOf, WebhookTables } from '../webhook-tables';
import { ENDPOINT_COLUMNS, toEndpointResponse, type WebhookEndpointResponse, type WebhookEndpointRow } from './webhook-endpoint.mapper';
import {
  DEFAULT_GRACE_SECONDS,
  type CreateWebhookEndpointRequestDto,
  type RotateWebhookSecretRequestDto,
  type UpdateWebhookEndpointRequestDto,
} from './webhook-endpoint.request.dto';
import { WebhookSecrets } from './webhook-secrets';
import { webhookUrlProblem } from './webhook-url';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_ENDPOINTS_PER_WORKSPACE = 50;

/** An endpoint with its signing secret: the answer of a creation or a rotation, the only ones that show it. */
export type EndpointWithSecret = WebhookEndpointResponse & { secret: string };

/** A workspace's webhook endpoints. Every lookup is scoped to the workspace: another workspace's endpoint is not found. */
@Injectable()
export class WebhookEndpointsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(WEBHOOK_SETTINGS) private readonly settings: WebhookSettings,
    private readonly tables: WebhookTables,
    private readonly secrets: WebhookSecrets,
  ) {}

  async create(workspaceId: string, request: CreateWebhookEndpointRequestDto): Promise<EndpointWithSecret> {
    this.checkUrl(request.url);
    const id = randomUUID();
    const secret = this.secrets.generate();
    const enabled = request.enabled ?? true;
    const rows = await this.dataSource.transaction(async (manager) => {
      const counted: Array<{ count: number }> = await manager.query(`SELECT count(*)::int AS count FROM ${this.tables.endpoints} WHERE workspace_id = $1`, [workspaceId]);
      if ((counted[0]?.count ?? 0) >= MAX_ENDPOINTS_PER_WORKSPACE) throw endpointLimitReached(MAX_ENDPOINTS_PER_WORKSPACE);
      const inserted: WebhookEndpointRow[] = await manager.query(
        `INSERT INTO ${this.tables.endpoints} (id, workspace_id, url, description, event_types, enabled, disabled_reason, sealed_secret, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now(), now()) RETURNING ${ENDPOINT_COLUMNS}`,
        [id, workspaceId, request.url, request.description ?? '', unique(request.eventTypes), enabled, enabled ? null : 'by_request', this.secrets.seal(id, secret)],
      );
      return inserted;
    });
    return { ...toEndpointResponse(rows[0] as WebhookEndpointRow), secret };
  }

  async list(workspaceId: string): Promise<WebhookEndpointResponse[]> {
    const rows: WebhookEndpointRow[] = await this.dataSource.query(`SELECT ${ENDPOINT_COLUMNS} FROM ${this.tables.endpoints} WHERE workspace_id = $1 ORDER BY created_at DESC, id DESC`, [workspaceId]);
    return rows.map((row) => toEndpointResponse(row));
  }

  async get(workspaceId: string, id: string): Promise<WebhookEndpointResponse> {
    return toEndpointResponse(await this.findOrFail(workspaceId, id));
  }

  /** Members given replace the stored ones; enabling an endpoint the broker disabled as failing starts its count again. */
  async update(workspaceId: string, id: string, request: UpdateWebhookEndpointRequestDto): Promise<WebhookEndpointResponse> {
    if (request.url !== undefined) this.checkUrl(request.url);
    await this.findOrFail(workspaceId, id);
    const rows = await this.rows<WebhookEndpointRow>(
      `UPDATE ${this.tables.endpoints}
          SET url = COALESCE($3, url), description = COALESCE($4, description), event_types = COALESCE($5, event_types),
              enabled = COALESCE($6, enabled),
              disabled_reason = CASE WHEN $6::boolean IS NULL THEN disabled_reason WHEN $6 THEN NULL ELSE 'by_request' END,
              failed_deliveries_in_a_row = CASE WHEN $6 THEN 0 ELSE failed_deliveries_in_a_row END,
              updated_at = now()
        WHERE workspace_id = $1 AND id = $2 RETURNING ${ENDPOINT_COLUMNS}`,
      [workspaceId, id, request.url ?? null, request.description ?? null, request.eventTypes ? unique(request.eventTypes) : null, request.enabled ?? null],
    );
    const row = rows[0];
    if (!row) throw notFound('webhook endpoint');
    return toEndpointResponse(row);
  }

  /** Its deliveries and their attempts go with it. */
  async remove(workspaceId: string, id: string): Promise<void> {
    if (!UUID.test(id)) throw notFound('webhook endpoint');
    const deleted = await this.rows(`DELETE FROM ${this.tables.endpoints} WHERE workspace_id = $1 AND id = $2 RETURNING id`, [workspaceId, id]);
    if (deleted.length === 0) throw notFound('webhook endpoint');
  }

  /** A new secret signs from now on; the current one keeps signing beside it for `graceSeconds` (24 hours unless told). */
  async rotateSecret(workspaceId: string, id: string, request: RotateWebhookSecretRequestDto): Promise<EndpointWithSecret> {
    await this.findOrFail(workspaceId, id);
    const secret = this.secrets.generate();
    const graceSeconds = request.graceSeconds ?? DEFAULT_GRACE_SECONDS;
    const rows = await this.rows<WebhookEndpointRow>(
      `UPDATE ${this.tables.endpoints}
          SET previous_sealed_secret = CASE WHEN $4::int > 0 THEN sealed_secret END,
              previous_secret_expires_at = CASE WHEN $4::int > 0 THEN now() + make_interval(secs => $4::int) END,
              sealed_secret = $3, secret_rotated_at = now(), updated_at = now()
        WHERE workspace_id = $1 AND id = $2 RETURNING ${ENDPOINT_COLUMNS}`,
      [workspaceId, id, this.secrets.seal(id, secret), graceSeconds],
    );
    const row = rows[0];
    if (!row) throw notFound('webhook endpoint');
    return { ...toEndpointResponse(row), secret };
  }

  async findOrFail(workspaceId: string, id: string): Promise<WebhookEndpointRow> {
    if (!UUID.test(id)) throw notFound('webhook endpoint');
    const rows: WebhookEndpointRow[] = await this.dataSource.query(`SELECT ${ENDPOINT_COLUMNS} FROM ${this.tables.endpoints} WHERE workspace_id = $1 AND id = $2`, [workspaceId, id]);
    const row = rows[0];
    if (!row) throw notFound('webhook endpoint');
    return row;
  }

  private checkUrl(url: string): void {
    const problem = webhookUrlProblem(url, this.settings.allowInsecureLoopback);
    if (problem !== undefined) throw validationFailed([{ path: 'url', message: `url ${problem}` }]);
  }

  /** The rows of any query, UPDATE and DELETE included (see rowsOf). */
  private async rows<T = unknown>(sql: string, parameters: unknown[]): Promise<T[]> {
    return rowsOf<T>(await this.dataSource.query(sql, parameters));
  }
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}
