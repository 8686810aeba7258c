/**
 * Every metric the services expose, defined once: name, help, type, labels and buckets. Services
 * create their instruments from these definitions (`ServiceMetrics.counter(METRICS.…)`), and tests
 * and docs/OPERATIONS.md enumerate {@link METRIC_CATALOG}. Each series also carries `service`
 * (the registry's default label), so it is not listed here.
 *
 * Labels are bounded by design: route templates, status classes, topic names, partitions, connector
 * ids and fixed enums. Never a connection, end user or workspace id, a raw path, or anything secret.
 */

export type MetricType = 'counter' | 'gauge' | 'histogram';

export interface MetricDefinition<L extends string = string> {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  readonly labelNames: readonly L[];
  /** Histograms only: upper bounds in seconds. */
  readonly buckets?: readonly number[];
  /** Which services record it (for the docs; the registry does not care). */
  readonly recordedBy: string;
}

export interface CounterDefinition<L extends string = string> extends MetricDefinition<L> {
  readonly type: 'counter';
}
export interface GaugeDefinition<L extends string = string> extends MetricDefinition<L> {
  readonly type: 'gauge';
}
export interface HistogramDefinition<L extends string = string> extends MetricDefinition<L> {
  readonly type: 'histogram';
  readonly buckets: readonly number[];
}

const counter = <L extends string>(definition: Omit<CounterDefinition<L>, 'type'>): CounterDefinition<L> => ({ ...definition, type: 'counter' });
const gauge = <L extends string>(definition: Omit<GaugeDefinition<L>, 'type'>): GaugeDefinition<L> => ({ ...definition, type: 'gauge' });
const histogram = <L extends string>(definition: Omit<HistogramDefinition<L>, 'type'>): HistogramDefinition<L> => ({ ...definition, type: 'histogram' });

/** Request latencies: a credential read answers in a few milliseconds, a long poll in up to 30 s. */
const REQUEST_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] as const;
/** From an outbox row's commit to Kafka's acknowledgement: milliseconds when healthy, minutes in an outage. */
const DELIVERY_SECONDS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 60, 300] as const;
/** An event handler's or a provider call's time: up to the token request timeout (10 s by default). */
const CALL_SECONDS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] as const;

export const ALL_SERVICES = 'every service';

export const METRICS = {
  httpRequestDuration: histogram({
    name: 'http_server_request_duration_seconds',
    help: 'Time from a request arriving to its response finishing, by route template and status class (scrapes of /metrics and /health/* are not counted).',
    labelNames: ['method', 'route', 'status_class'] as const,
    buckets: REQUEST_SECONDS,
    recordedBy: ALL_SERVICES,
  }),

  outboxPendingEvents: gauge({
    name: 'credential_broker_outbox_pending_events',
    help: 'Outbox rows not yet published to Kafka, read at scrape time.',
    labelNames: [] as const,
    recordedBy: 'connector-config, oauth-authorization, token-issuance, token-refresh',
  }),
  outboxOldestPendingAge: gauge({
    name: 'credential_broker_outbox_oldest_pending_age_seconds',
    help: 'Age of the oldest unpublished outbox row (0 when none waits; NaN when the database could not be read), read at scrape time.',
    labelNames: [] as const,
    recordedBy: 'connector-config, oauth-authorization, token-issuance, token-refresh',
  }),
  outboxPublishLatency: histogram({
    name: 'credential_broker_outbox_publish_latency_seconds',
    help: "Time from an outbox row's commit to Kafka's acknowledgement of it.",
    labelNames: ['topic'] as const,
    buckets: DELIVERY_SECONDS,
    recordedBy: 'connector-config, oauth-authorization, token-issuance, token-refresh',
  }),
  outboxEventsPublished: counter({
    name: 'credential_broker_outbox_events_published_total',
    help: 'Events the outbox relay published and Kafka acknowledged (a batch republished after a crash counts again).',
    labelNames: ['topic'] as const,
    recordedBy: 'connector-config, oauth-authorization, token-issuance, token-refresh',
  }),

  inboxEventsHandled: counter({
    name: 'credential_broker_inbox_events_handled_total',
    help: 'Events whose handler ran and committed with their inbox row.',
    labelNames: ['topic'] as const,
    recordedBy: 'oauth-authorization, token-issuance, token-refresh',
  }),
  inboxDuplicatesSkipped: counter({
    name: 'credential_broker_inbox_duplicates_skipped_total',
    help: 'Redelivered events found in the inbox and passed over.',
    labelNames: ['topic'] as const,
    recordedBy: 'oauth-authorization, token-issuance, token-refresh',
  }),
  inboxRetries: counter({
    name: 'credential_broker_inbox_retries_total',
    help: 'Handler attempts that failed and are tried again after a backoff (the last failed attempt dead-letters instead).',
    labelNames: ['topic'] as const,
    recordedBy: 'oauth-authorization, token-issuance, token-refresh',
  }),
  inboxDeadLetters: counter({
    name: 'credential_broker_inbox_dead_letters_total',
    help: 'Messages sent to the dead-letter topic: rejected (unparseable, invalid) or handler_failed (after the last attempt).',
    labelNames: ['topic', 'kind'] as const,
    recordedBy: 'oauth-authorization, token-issuance, token-refresh',
  }),
  inboxHandlerDuration: histogram({
    name: 'credential_broker_inbox_handler_duration_seconds',
    help: "One attempt of an event's handler, transaction included, by topic and outcome (ok, failed).",
    labelNames: ['topic', 'outcome'] as const,
    buckets: CALL_SECONDS,
    recordedBy: 'oauth-authorization, token-issuance, token-refresh',
  }),
  kafkaConsumerLag: gauge({
    name: 'credential_broker_kafka_consumer_lag',
    help: "Messages behind the partition's high watermark after the consumer's last batch (kept until the next batch or rebalance).",
    labelNames: ['topic', 'partition'] as const,
    recordedBy: 'oauth-authorization, token-issuance, token-refresh',
  }),

  connectSessionsStarted: counter({
    name: 'credential_broker_connect_sessions_started_total',
    help: 'Connect sessions opened (an idempotent replay of an open does not count).',
    labelNames: [] as const,
    recordedBy: 'oauth-authorization',
  }),
  connectSessionsCompleted: counter({
    name: 'credential_broker_connect_sessions_completed_total',
    help: 'Connect sessions that ended with a connection holding a credential.',
    labelNames: [] as const,
    recordedBy: 'oauth-authorization',
  }),
  connectSessionsFailed: counter({
    name: 'credential_broker_connect_sessions_failed_total',
    help: 'Connect sessions that ended failed, by reason (an OAuth or broker error code; unknown codes are "other").',
    labelNames: ['reason'] as const,
    recordedBy: 'oauth-authorization',
  }),
  connectExchanges: counter({
    name: 'credential_broker_connect_exchanges_total',
    help: "token-issuance's leg of a connect (code exchange or submitted credentials): completed, or failed by reason.",
    labelNames: ['outcome', 'reason'] as const,
    recordedBy: 'token-issuance',
  }),
  refreshes: counter({
    name: 'credential_broker_refreshes_total',
    help: 'Refreshes by trigger (scheduled, on_demand, unauthorized_reported) and outcome: refreshed, transient_failure (the schedule retries), needs_reconnect, retry_later (a read during backoff), skipped (superseded, in flight, not due…).',
    labelNames: ['trigger', 'outcome'] as const,
    recordedBy: 'token-issuance',
  }),
  needsReconnect: counter({
    name: 'credential_broker_needs_reconnect_transitions_total',
    help: 'Connections that became needs_reconnect, by reason (invalid_grant, credential_expired, unauthorized_reported, refresh_interrupted…; unknown codes are "other").',
    labelNames: ['reason'] as const,
    recordedBy: 'token-issuance',
  }),
  providerRequestDuration: histogram({
    name: 'credential_broker_provider_request_duration_seconds',
    help: "A call to a connector's token or revocation endpoint (the guard's queueing included).",
    labelNames: ['connector_id', 'operation'] as const,
    buckets: CALL_SECONDS,
    recordedBy: 'token-issuance',
  }),
  providerRequestErrors: counter({
    name: 'credential_broker_provider_request_errors_total',
    help: 'Provider calls that did not succeed, by kind: reconnect_required (dead grant), transient (5xx, 429, timeout, unreachable), refused (client or configuration), guarded (circuit open or queue full; not sent).',
    labelNames: ['connector_id', 'operation', 'kind'] as const,
    recordedBy: 'token-issuance',
  }),
  revocations: counter({
    name: 'credential_broker_revocations_total',
    help: 'Provider revocations on disconnect, by outcome: revoked, failed, not_attempted (no revocation endpoint or no token).',
    labelNames: ['outcome'] as const,
    recordedBy: 'token-issuance',
  }),
  proxyRequests: counter({
    name: 'credential_broker_proxy_requests_total',
    help: "Proxied calls by connector and the answer's status class (1xx-5xx), or `broker` for the broker's own refusals and failures.",
    labelNames: ['connector_id', 'status_class'] as const,
    recordedBy: 'token-issuance',
  }),
  proxyRequestDuration: histogram({
    name: 'credential_broker_proxy_request_duration_seconds',
    help: 'A proxied call, from its arrival to the end of the answer (retries and a refresh included).',
    labelNames: ['connector_id', 'status_class'] as const,
    buckets: CALL_SECONDS,
    recordedBy: 'token-issuance',
  }),
  webhookAttempts: counter({
    name: 'credential_broker_webhook_attempts_total',
    help: 'Webhook delivery attempts by outcome: succeeded, http_error, timeout, network_error, refused, and what came of the delivery: succeeded, retrying, failed.',
    labelNames: ['outcome', 'next'] as const,
    recordedBy: 'connector-config',
  }),
  webhookAttemptDuration: histogram({
    name: 'credential_broker_webhook_attempt_duration_seconds',
    help: 'One webhook delivery attempt, from connecting to reading the start of the answer, by outcome.',
    labelNames: ['outcome'] as const,
    buckets: CALL_SECONDS,
    recordedBy: 'connector-config',
  }),
  credentialReads: counter({
    name: 'credential_broker_credential_reads_total',
    help: 'Credential reads by outcome: served, or the refusal code (not_found, needs_reconnect, …).',
    labelNames: ['outcome'] as const,
    recordedBy: 'token-issuance',
  }),

  dbPoolTotal: gauge({
    name: 'credential_broker_db_pool_connections',
    help: "Connections open in the service's PostgreSQL pool (busy and idle), read at scrape time.",
    labelNames: [] as const,
    recordedBy: ALL_SERVICES,
  }),
  dbPoolIdle: gauge({
    name: 'credential_broker_db_pool_idle_connections',
    help: "Idle connections in the service's PostgreSQL pool, read at scrape time.",
    labelNames: [] as const,
    recordedBy: ALL_SERVICES,
  }),
  dbPoolWaiting: gauge({
    name: 'credential_broker_db_pool_waiting_requests',
    help: "Queries waiting for a connection of the service's PostgreSQL pool, read at scrape time.",
    labelNames: [] as const,
    recordedBy: ALL_SERVICES,
  }),
} as const;

export const METRIC_CATALOG: readonly MetricDefinition[] = Object.values(METRICS);

/** Labels no metric may carry: unbounded (ids, paths) or personal. */
export const FORBIDDEN_LABELS = ['connection_id', 'end_user_id', 'user_id', 'user', 'workspace_id', 'workspace', 'session_id', 'path', 'url', 'token', 'api_key'] as const;

/** The error codes of RFC 6749 (§4.1.2.1, §5.2) and RFC 6750 (§3.1): provider codes a reason label keeps as they are. */
export const OAUTH_ERROR_CODES: readonly string[] = [
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
  'access_denied',
  'unsupported_response_type',
  'server_error',
  'temporarily_unavailable',
  'invalid_token',
  'insufficient_scope',
];

/** A label value from a fixed set, or `other`: keeps a value that comes from outside (a provider's error code) bounded. */
export function boundedLabel(value: string | null | undefined, allowed: ReadonlySet<string>): string {
  return value !== null && value !== undefined && allowed.has(value) ? value : 'other';
}
