import { INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CustomTransportStrategy } from '@nestjs/microservices';
import { json } from 'express';
import type { Logger } from 'pino';
import { AppExceptionFilter } from '../errors/app-exception.filter';
import { createValidationPipe } from '../errors/validation';
import { PinoNestLogger } from '../logging/logger';
import { MetricsEndpoint } from '../metrics/metrics-endpoint';
import { httpRequestMetrics } from '../metrics/http-metrics';
import { ServiceMetrics } from '../metrics/service-metrics';
import { HotRoute, hotRoutesMiddleware } from './hot-route';
import { checkJsonBody, refuseNonJsonBodies, refuseNulInUrl, refuseReservedKeys } from './request-limits';

export interface HttpServiceOptions {
  logger: Logger;
  bodyLimit?: string;
  /** A transport to consume events with; created once the application's providers exist. */
  transport?: (app: INestApplication) => CustomTransportStrategy;
  /** Routes answered ahead of Nest's router, after the request checks (see {@link HotRoute}). */
  hotRoutes?: (app: INestApplication) => HotRoute[];
}

/**
 * Builds a service the same way in production and in tests: one validation pipe, one error filter,
 * request metrics and `/metrics` (the module provides {@link ServiceMetrics} and {@link MetricsEndpoint}).
 */
export async function createHttpService(module: Type<unknown> | import('@nestjs/common').DynamicModule, options: HttpServiceOptions): Promise<INestApplication> {
  const app = await NestFactory.create(module, { logger: new PinoNestLogger(options.logger), bodyParser: false, abortOnError: false });
  app.use(httpRequestMetrics(app.get(ServiceMetrics)));
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
