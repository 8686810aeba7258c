import { Logger, Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditPruner, schemaOf } from '@cb/platform';
import { GATEWAY_CONFIG, type GatewayConfig } from '../gateway.config';
import { auditTables } from './api-key-events';
import { AuditHttpController } from './audit.http.controller';

/** `GET /v1/audit`, and the retention of the gateway's own audit (API key events). */
@Module({
  controllers: [AuditHttpController],
  providers: [
    {
      provide: AuditPruner,
      inject: [DataSource, GATEWAY_CONFIG],
      useFactory: (dataSource: DataSource, config: GatewayConfig) => {
        const logger = new Logger('AuditPruner');
        return new AuditPruner(dataSource, auditTables(schemaOf(dataSource)), config.auditRetention, (error) => logger.warn(`audit prune failed; the next run tries again: ${error.message}`));
      },
    },
  ],
})
export class AuditModule {}
