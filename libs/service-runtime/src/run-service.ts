import { DynamicModule, INestApplication } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { InboxKafkaServer } from '@cb/messaging';
import { createHttpService, HotRoute, ServiceConfig, ServiceMetrics } from '@cb/platform';

export interface StartServiceOptions {
  module: DynamicModule;
  config: ServiceConfig;
  logger: Logger;
  schema: string;
  /** True for services with @EventPattern handlers. */
  consumesEvents: boolean;
  /** Topics consumed apart from the rest, by lane name (see InboxServerOptions.lanes). */
  eventLanes?: Record<string, readonly string[]>;
  bodyLimit?: string;
  /** Routes answered ahead of Nest's router (see HotRoute). */
  hotRoutes?: (app: INestApplication) => HotRoute[];
  /** Hot routes that stream their request body, ahead of body parsing (see HttpServiceOptions). */
  streamingRoutes?: (app: INestApplication) => HotRoute[];
}

/** Starts a service: HTTP API, health, and (for consumers) the Kafka inbox transport. */
export async function startService(options: StartServiceOptions): Promise<INestApplication> {
  const { config } = options;
  const app = await createHttpService(options.module, {
    logger: options.logger,
    service: config,
    ...(options.bodyLimit ? { bodyLimit: options.bodyLimit } : {}),
    ...(options.hotRoutes ? { hotRoutes: options.hotRoutes } : {}),
    ...(options.streamingRoutes ? { streamingRoutes: options.streamingRoutes } : {}),
    ...(options.consumesEvents
      ? {
          transport: (nest: INestApplication) =>
            new InboxKafkaServer({
              serviceName: config.serviceName,
              instanceId: config.instanceId,
              schema: options.schema,
              databaseUrl: config.databaseUrl,
              kafkaBrokers: config.kafkaBrokers,
              topicPrefix: config.topicPrefix,
              topicPartitions: config.kafkaTopicPartitions,
              dataSource: nest.get(DataSource),
              metrics: nest.get(ServiceMetrics),
              ...(options.eventLanes ? { lanes: options.eventLanes } : {}),
            }),
        }
      : {}),
  });
  await app.listen(config.port, config.host);
  return app;
}

/** The entry point of a service process: fails loudly on bad config, stops cleanly on SIGTERM/SIGINT. */
export function runMain(start: () => Promise<INestApplication>, logger?: () => Logger): void {
  start()
    .then((app) => {
      const stop = (): void => {
        app.close().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    })
    .catch((error: Error) => {
      const message = `failed to start: ${error.message}`;
      if (logger) logger().fatal(message);
      process.stderr.write(`${message}\n`);
      process.exit(1);
    });
}
