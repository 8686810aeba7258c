import { Module } from '@nestjs/common';
import { ConnectHttpController } from './connect.http.controller';

/** Connect sessions, the connect dialog's API and the OAuth callback. */
@Module({ controllers: [ConnectHttpController] })
export class ConnectModule {}
