import { Module } from '@nestjs/common';
import { BulkImportRoute } from './bulk-import.route';
import { ConnectionsHttpController } from './connections.http.controller';
import { CredentialReadRoute } from './credential-read.route';

@Module({ controllers: [ConnectionsHttpController], providers: [CredentialReadRoute, BulkImportRoute], exports: [CredentialReadRoute, BulkImportRoute] })
export class ConnectionsModule {}
