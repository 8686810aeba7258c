import { DynamicModule, Inject, Module, OnApplicationShutdown, Provider } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { Admin } from 'kafkajs';
import type { Logger } from 'pino';
import { DataSource, EntitySchema, MixedList } from 'typeorm';
import { createKafka, kafkaReadiness, MessagingModule, MessagingTables1764300000000 } from '@cb/messaging';
import {
  databaseReadiness,
  HealthController,
  INTERNAL_API_TOKEN,
  InternalApiGuard,
  keyringFrom,
  MetricsEndpoint,
  migrateSchema,
  READINESS_CHECKS,
  recordDatabasePool,
  ServiceConfig,
  serviceDataSourceOptions,
  ServiceMetrics,
} from '@cb/platform';
import { KAFKA_ADMIN, KEYRING, LOGGER, SERVICE_CONFIG } from './tokens';

export interface ServiceRuntimeOptions {
  config: ServiceConfig;
  logger: Logger;
  schema: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: Function[];
  /** Back-end services talk over Kafka; the gateway does not. */
  usesKafka: boolean;
  /** The token that guards this service's internal API (InternalApiGuard); back-end services only. */
  internalApiToken?: string;
}

class KafkaAdminLifecycle implements OnApplicationShutdown {
  constructor(@Inject(KAFKA_ADMIN) private readonly admin: Admin) {}
  async onApplicationShutdown(): Promise<void> {
    await this.admin.disconnect().catch(() => undefined);
  }
}

/** Records the PostgreSQL pool's gauges once the data source exists. */
class DatabasePoolMetrics {
  constructor(metrics: ServiceMetrics, dataSource: DataSource) {
    recordDatabasePool(metrics, dataSource);
  }
}

/**
 * What every service has: its validated config, vault keyring (when it seals anything), logger, its own PostgreSQL schema
 * (migrated at start), health endpoints, its metrics (ServiceMetrics, which any class may inject, and /metrics), and for
 * back-end services the outbox and Kafka.
 */
@Module({})
export class ServiceRuntimeModule {
  static forRoot(options: ServiceRuntimeOptions): DynamicModule {
    const { config, schema } = options;
    const withKeyring = config.vaultKeys !== undefined;
    const metrics = new ServiceMetrics(config.serviceName);
    const providers: Provider[] = [
      { provide: SERVICE_CONFIG, useValue: config },
      { provide: ServiceMetrics, useValue: metrics },
      { provide: MetricsEndpoint, useValue: new MetricsEndpoint(metrics, config.metricsToken) },
      { provide: DatabasePoolMetrics, inject: [ServiceMetrics, DataSource], useFactory: (m: ServiceMetrics, dataSource: DataSource) => new DatabasePoolMetrics(m, dataSource) },
      ...(withKeyring ? [{ provide: KEYRING, useValue: keyringFrom(config) }] : []),
      { provide: LOGGER, useValue: options.logger },
    ];
    const readiness: Provider = options.usesKafka
      ? {
          provide: READINESS_CHECKS,
          inject: [DataSource, KAFKA_ADMIN],
          useFactory: (dataSource: DataSource, admin: Admin) => [databaseReadiness(dataSource), kafkaReadiness(admin)],
        }
      : { provide: READINESS_CHECKS, inject: [DataSource], useFactory: (dataSource: DataSource) => [databaseReadiness(dataSource)] };
    if (options.internalApiToken !== undefined) {
      providers.push({ provide: INTERNAL_API_TOKEN, useValue: options.internalApiToken }, InternalApiGuard);
    }
    if (options.usesKafka) {
      providers.push({ provide: KAFKA_ADMIN, useFactory: () => createKafka(`${config.instanceId}-admin`, config.kafkaBrokers).admin() }, KafkaAdminLifecycle);
    }
    return {
      module: ServiceRuntimeModule,
      global: true,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => ({
            ...serviceDataSourceOptions({
              url: config.databaseUrl,
              schema,
              applicationName: config.instanceId,
              poolSize: config.databasePoolSize,
              entities: options.entities,
              migrations: options.usesKafka ? [MessagingTables1764300000000, ...options.migrations] : options.migrations,
            }),
            retryAttempts: 30,
            retryDelay: 1000,
          }),
          dataSourceFactory: async (dataSourceOptions) => {
            if (!dataSourceOptions) throw new Error('no data source options');
            const dataSource = await new DataSource(dataSourceOptions).initialize();
            await migrateSchema(dataSource, schema);
            return dataSource;
          },
        }),
        ...(options.usesKafka
          ? [
              MessagingModule.register({
                serviceName: config.serviceName,
                instanceId: config.instanceId,
                schema,
                databaseUrl: config.databaseUrl,
                kafkaBrokers: config.kafkaBrokers,
                topicPrefix: config.topicPrefix,
                metrics,
              }),
            ]
          : []),
      ],
      controllers: [HealthController],
      providers: [...providers, readiness],
      exports: [SERVICE_CONFIG, ServiceMetrics, MetricsEndpoint, ...(withKeyring ? [KEYRING] : []), LOGGER, READINESS_CHECKS, ...(options.usesKafka ? [KAFKA_ADMIN] : []), ...(options.internalApiToken !== undefined ? [INTERNAL_API_TOKEN, InternalApiGuard] : [])],
    };
  }
}
