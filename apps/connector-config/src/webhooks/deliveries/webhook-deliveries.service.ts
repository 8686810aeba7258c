import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { notFound } from '@cb/platform';
import { WebhookEndpointsService } from '../endpoints/webhook-endpoints.service';
import { deliveryInFlight } from '../webhooks.errors';
import { rowsOf, WebhookTables } from '../webhook-tables';
import type { ListDeliveriesQueryDto } from '../endpoints/webhook-endpoint.request.dto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DEFAULT_LIMIT = 20;

export interface DeliveryResponse {
  /** Also the `webhook-id` header of every attempt: a receiver deduplicates by it. */
  id: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  status: 'pending' | 'succeeded' | 'failed';
  attempts: number;
  /** When the next attempt is due (pending deliveries only). */
  nextAttemptAt: string | null;
  lastAttemptAt: string | null;
  completedAt: string | null;
  createdAt: string;
}

export interface AttemptResponse {
  attempt: number;
  outcome: string;
  statusCode: number | null;
  durationMs: number | null;
  responseSnippet: string | null;
  error: string | null;
  startedAt: string;
}

interface DeliveryRow {
  id: string;
  seq: string;
  endpoint_id: string;
  event_id: string;
  event_type: string;
  status: DeliveryResponse['status'];
  attempts: number;
  next_attempt_at: Date;
  last_attempt_at: Date | null;
  completed_at: Date | null;
  created_at: Date;
}

const DELIVERY_COLUMNS = 'id, seq, endpoint_id, event_id, event_type, status, attempts, next_attempt_at, last_attempt_at, completed_at, created_at';

/** An endpoint's deliveries and their attempts, and replay by hand. */
@Injectable()
export class WebhookDeliveriesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tables: WebhookTables,
    private readonly endpoints: WebhookEndpointsService,
  ) {}

  /** Newest first; `nextCursor` continues after the last item shown. */
  async list(workspaceId: string, endpointId: string, query: ListDeliveriesQueryDto): Promise<{ items: DeliveryResponse[]; nextCursor: string | null }> {
    await this.endpoints.findOrFail(workspaceId, endpointId);
    const limit = query.limit ?? DEFAULT_LIMIT;
    const rows: DeliveryRow[] = await this.dataSource.query(
      `SELECT ${DELIVERY_COLUMNS} FROM ${this.tables.deliveries}
        WHERE endpoint_id = $1 AND ($2::text IS NULL OR status = $2) AND ($3::bigint IS NULL OR seq < $3)
        ORDER BY seq DESC LIMIT $4`,
      [endpointId, query.status ?? null, query.cursor ?? null, limit + 1],
    );
    const page = rows.slice(0, limit);
    return { items: page.map(toDeliveryResponse), nextCursor: rows.length > limit ? (page.at(-1)?.seq ?? null) : null };
  }

  async attempts(workspaceId: string, endpointId: string, deliveryId: string): Promise<{ items: AttemptResponse[] }> {
    await this.findDelivery(workspaceId, endpointId, deliveryId);
    const rows: Array<{ attempt: number; outcome: string; status_code: number | null; duration_ms: number | null; response_snippet: string | null; error: string | null; started_at: Date }> =
      await this.dataSource.query(`SELECT attempt, outcome, status_code, duration_ms, response_snippet, error, started_at FROM ${this.tables.attempts} WHERE delivery_id = $1 ORDER BY attempt`, [deliveryId]);
    return {
      items: rows.map((row) => ({
        attempt: row.attempt,
        outcome: row.outcome,
        statusCode: row.status_code,
        durationMs: row.duration_ms,
        responseSnippet: row.response_snippet,
        error: row.error,
        startedAt: row.started_at.toISOString(),
      })),
    };
  }

  /**
   * Sends a delivery again, with the same `webhook-id`, and a fresh retry schedule. One still pending
   * is sent now instead of at its next attempt; one in flight cannot be replayed (409).
   */
  async replay(workspaceId: string, endpointId: string, deliveryId: string): Promise<DeliveryResponse> {
    await this.findDelivery(workspaceId, endpointId, deliveryId);
    const rows = await this.rows<DeliveryRow>(
      `UPDATE ${this.tables.deliveries}
          SET status = 'pending', attempts_this_round = 0, next_attempt_at = now(), completed_at = NULL
        WHERE id = $1 AND (lease_expires_at IS NULL OR lease_expires_at <= now())
        RETURNING ${DELIVERY_COLUMNS}`,
      [deliveryId],
    );
    const row = rows[0];
    if (!row) throw deliveryInFlight();
    return toDeliveryResponse(row);
  }

  private async findDelivery(workspaceId: string, endpointId: string, deliveryId: string): Promise<void> {
    await this.endpoints.findOrFail(workspaceId, endpointId);
    if (!UUID.test(deliveryId)) throw notFound('webhook delivery');
    const rows: unknown[] = await this.dataSource.query(`SELECT 1 FROM ${this.tables.deliveries} WHERE id = $1 AND endpoint_id = $2`, [deliveryId, endpointId]);
    if (rows.length === 0) throw notFound('webhook delivery');
  }

  /** The rows of any query, UPDATE and DELETE included (see rowsOf). */
  private async rows<T = unknown>(sql: string, parameters: unknown[]): Promise<T[]> {
    return rowsOf<T>(await this.dataSource.query(sql, parameters));
  }
}

function toDeliveryResponse(row: DeliveryRow): DeliveryResponse {
  return {
    id: row.id,
    endpointId: row.endpoint_id,
    eventId: row.event_id,
    eventType: row.event_type,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.status === 'pending' ? row.next_attempt_at.toISOString() : null,
    lastAttemptAt: row.last_attempt_at?.toISOString() ?? null,
    completedAt: row.completed_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
  };
}
