import { Module } from '@nestjs/common';
import { ConnectionsHttpController } from './connections.http.controller';

@Module({ controllers: [ConnectionsHttpController] })
export class ConnectionsModule {}
