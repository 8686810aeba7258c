import { Module } from '@nestjs/common';
import { ClientMetadataHttpController } from './client-metadata.http.controller';
import { ConnectHttpController } from './connect.http.controller';

/** Connect sessions, the connect dialog's API, the OAuth callback and the workspaces' client metadata documents. */
@Module({ controllers: [ConnectHttpController, ClientMetadataHttpController] })
export class ConnectModule {}
