import { DynamicModule, INestApplication, Module, OnApplicationShutdown, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CustomTransportStrategy } from '@nestjs/microservices';
import { json } from 'express';
import type { Logger } from 'pino';
import { AppExceptionFilter } from '../errors/app-exception.filter';
import { createValidationPipe } from '../errors/validation';
import type { ServiceConfig } from '../config/service-config';
import { PinoNestLogger } from '../logging/logger';
import { startTracing, type ServiceTracing } from '../tracing/tracing';
import { MetricsEndpoint } from '../metrics/metrics-endpoint';
import { httpRequestMetrics } from '../metrics/http-metrics';
import { ServiceMetrics } from '../metrics/service-metrics';
import { HotRoute, hotRoutesMiddleware } from './hot-route';
import { observeRequests } from './observe-requests';
import { checkJsonBody, refuseNonJsonBodies, refuseNulInUrl, refuseReservedKeys } from './request-limits';

export interface HttpServiceOptions {
  logger: Logger;
  /** Names the service's spans; its `tracing` settings, when set, export them (see startTracing). */
  service: Pick<ServiceConfig, 'serviceName' | 'tracing'>;
  bodyLimit?: string;
  /** A transport to consume events with; created once the application's providers exist. */
  transport?: (app: INestApplication) => CustomTransportStrategy;
  /** Routes answered ahead of Nest's router, after the request checks (see {@link HotRoute}). */
  hotRoutes?: (app: INestApplication) => HotRoute[];
  /**
   * Hot routes that read the request body themselves, as a stream (the proxy): they run before the
   * URL, media type and JSON body checks and parsing, and make their own.
   */
  streamingRoutes?: (app: INestApplication) => HotRoute[];
}

/**
 * Builds a service the same way in production and in tests: one validation pipe, one error filter,
 * request metrics and `/metrics` (the module provides {@link ServiceMetrics} and {@link MetricsEndpoint}).
 */
export async function createHttpService(module: Type<unknown> | import('@nestjs/common').DynamicModule, options: HttpServiceOptions): Promise<INestApplication> {
  const tracing = startTracing(options.service.serviceName, options.service.tracing);
  let app: INestApplication;
  try {
    app = await NestFactory.create(closingTracing(module, tracing), { logger: new PinoNestLogger(options.logger), bodyParser: false, abortOnError: false });
  } catch (error) {
    await tracing.close();
    throw error;
  }
  app.use(observeRequests(options.service.serviceName, options.logger));
  app.use(httpRequestMetrics(app.get(ServiceMetrics)));
  const streamingRoutes = options.streamingRoutes?.(app) ?? [];
  if (streamingRoutes.length > 0) app.use(hotRoutesMiddleware(streamingRoutes));
  app.use(refuseNulInUrl);
  app.use(refuseNonJsonBodies);
  app.use(json({ limit: options.bodyLimit ?? '64kb', verify: (_request, _response, body) => checkJsonBody(body) }));
  app.use(refuseReservedKeys);
  app.use(hotRoutesMiddleware([app.get(MetricsEndpoint)]));
  const hotRoutes = options.hotRoutes?.(app) ?? [];
  if (hotRoutes.length > 0) app.use(hotRoutesMiddleware(hotRoutes));
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new AppExceptionFilter());
  app.enableShutdownHooks();
  (app.getHttpAdapter().getInstance() as { disable(name: string): void }).disable('x-powered-by');
  if (options.transport) {
    app.connectMicroservice({ strategy: options.transport(app) }, { inheritAppConfig: true });
    await app.startAllMicroservices();
  }
  return app;
}

class TracingShutdown implements OnApplicationShutdown {
  constructor(private readonly tracing: ServiceTracing) {}
  onApplicationShutdown(): Promise<void> {
    return this.tracing.close();
  }
}

@Module({})
class TracedService {}

/** The service's module, with its spans flushed once its HTTP server and consumers have closed. */
function closingTracing(module: Type<unknown> | DynamicModule, tracing: ServiceTracing): DynamicModule {
  return { module: TracedService, imports: [module], providers: [{ provide: TracingShutdown, useFactory: () => new TracingShutdown(tracing) }] };
}
