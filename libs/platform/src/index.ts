export { loadConfig, fromEnv, ConfigError } from './config/load-config';
export type { ConfigReader } from './config/load-config';
export { DEFAULT_TOPIC_PARTITIONS, loadServiceConfig, serviceConfigReaders, keyringFrom, METRICS_TOKEN_MIN_LENGTH } from './config/service-config';
export type { ServiceConfig, ServiceConfigOptions } from './config/service-config';
export { createLogger, PinoNestLogger, REDACT_PATHS } from './logging/logger';
export { AppError, notFound, conflict, unprocessable, validationFailed } from './errors/app-error';
export type { FieldProblem } from './errors/app-error';
export { AppExceptionFilter, writeErrorResponse } from './errors/app-exception.filter';
export { createValidationPipe, flattenValidationErrors } from './errors/validation';
export { HealthController, READINESS_CHECKS } from './health/readiness';
export type { ReadinessCheck } from './health/readiness';
export { serviceDataSourceOptions, migrateSchema, openServiceDatabase, databaseReadiness } from './database/database';
export type { ServiceDatabaseOptions } from './database/database';
export {
  SERVICE_SCHEMAS,
  DATABASE_SERVICES,
  DEFAULT_ROLE_PREFIX,
  serviceRole,
  servicePasswordVariable,
  serviceDatabaseUrl,
  checkRolePrefix,
  checkRolePassword,
  generateRolePassword,
  scramSha256Verifier,
  provisionServiceDatabase,
} from './database/service-roles';
export type { DatabaseService, ServiceRolesOptions, ProvisionedRole, ProvisionedDatabase } from './database/service-roles';
export { ChangeFollowingCache } from './database/change-following-cache';
export { EntityRowReader } from './database/entity-row-reader';
export { GroupedWrites } from './database/grouped-writes';
export { schemaOf } from './database/schema-of';
export type { ChangeFollowingCacheOptions } from './database/change-following-cache';
export { createHttpService } from './http/bootstrap';
export type { HttpServiceOptions } from './http/bootstrap';
export type { HotRoute } from './http/hot-route';
export {
  BROKER_ERROR_HEADER,
  PROXY_REQUEST_HEADERS,
  PROXY_RESPONSE_HEADERS,
  proxyPathProblem,
  proxyPathProblemMessage,
  proxyRequestHeaders,
  proxyResponseHeaders,
  wholeSmallBody,
  WHOLE_ANSWER_BYTES,
  type AnswerBody,
  type ProxyPathProblem,
} from './http/proxy-rules';
export { routeTemplateOf, setRouteTemplate } from './http/route-template';
export { forwardBody } from './http/forward-body';
export { InternalApiGuard, InternalTokenCheck, INTERNAL_TOKEN_HEADER, INTERNAL_API_TOKEN, INTERNAL_API_TOKEN_MIN_LENGTH, internalApiTokenReader } from './http/internal-api.guard';
export { installTracing, startTracing, tracingEnabled, serviceTracer, parseOtlpHeaders, tracesUrl, SERVICE_ATTRIBUTE } from './tracing/tracing';
export type { TracingSettings, ServiceTracing, InstallTracingOptions } from './tracing/tracing';
export { injectTraceHeaders, extractTraceContext } from './tracing/trace-headers';
export { acceptRequestId, currentRequest, noteRequestWorkspace, runInRequestContext, REQUEST_ID_HEADER } from './tracing/request-context';
export type { RequestContext } from './tracing/request-context';
export { observeRequests, WORKSPACE_ATTRIBUTE } from './http/observe-requests';
export { ServiceMetrics } from './metrics/service-metrics';
export { METRICS, METRIC_CATALOG, FORBIDDEN_LABELS, OAUTH_ERROR_CODES, boundedLabel } from './metrics/metrics.catalog';
export type { MetricDefinition, MetricType, CounterDefinition, GaugeDefinition, HistogramDefinition } from './metrics/metrics.catalog';
export { MetricsEndpoint, METRICS_PATH } from './metrics/metrics-endpoint';
export { httpRequestMetrics } from './metrics/http-metrics';
export { recordDatabasePool } from './metrics/database-pool.metrics';
export {
  AUDIT_KINDS,
  AUDIT_DEFAULT_LIMIT,
  AUDIT_MAX_LIMIT,
  AuditQueryDto,
  encodeAuditCursor,
  decodeAuditCursor,
  compareAuditEntries,
  mergeAuditPages,
  auditSortSql,
} from './audit/audit-entry';
export type { AuditKind, AuditEntry, AuditPosition } from './audit/audit-entry';
export { pruneInBatches } from './audit/prune-in-batches';
export type { PruneTarget, PruneOptions } from './audit/prune-in-batches';
export { AuditPruner, auditRetentionReader } from './audit/audit-retention';
export type { AuditRetentionSettings } from './audit/audit-retention';
export { readAuditEntries } from './audit/audit-source';
export { PeriodicTask } from './scheduling/periodic-task';
export type { AuditBranch } from './audit/audit-source';
