import { Module } from '@nestjs/common';
import { ConnectionsHttpController } from './connections.http.controller';
import { CredentialReadRoute } from './credential-read.route';

@Module({ controllers: [ConnectionsHttpController], providers: [CredentialReadRoute], exports: [CredentialReadRoute] })
export class ConnectionsModule {}
