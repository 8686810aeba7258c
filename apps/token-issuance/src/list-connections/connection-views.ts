import { Injectable } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import { ConnectionProfiles } from '../connection-profile/connection-profiles';
import { ConnectorHealthRepository } from '../connectors/connector-health.repository';
import { ConnectorEntity } from '../connectors/connector.entity';
import { ConnectionEntity } from '../credential-vault/connection.entity';
import { RefreshStateRepository } from '../refresh-token/refresh-state.repository';
import { ConnectionView, toConnectionView } from './connection.mapper';

/** Connections as the API shows them: with their connector, refresh state and profile, in few queries. */
@Injectable()
export class ConnectionViews {
  constructor(
    private readonly dataSource: DataSource,
    private readonly refreshStates: RefreshStateRepository,
    private readonly health: ConnectorHealthRepository,
    private readonly profiles: ConnectionProfiles,
  ) {}

  async of(rows: ConnectionEntity[]): Promise<ConnectionView[]> {
    const manager = this.dataSource.manager;
    const connectorIds = [...new Set(rows.map((row) => row.connectorId))];
    const connectors = connectorIds.length ? await manager.getRepository(ConnectorEntity).findBy({ connectorId: In(connectorIds) }) : [];
    const byId = new Map(connectors.map((c) => [c.connectorId, c]));
    const ids = rows.map((row) => row.id);
    const states = new Map((await this.refreshStates.findMany(manager, ids)).map((state) => [state.connectionId, state]));
    const health = new Map(await Promise.all(connectorIds.map(async (id) => [id, await this.health.find(manager, id)] as const)));
    const profiles = await this.profiles.findMany(manager, ids);
    return rows.map((row) => toConnectionView(row, byId.get(row.connectorId), states.get(row.id), health.get(row.connectorId), profiles.get(row.id)));
  }

  async one(connection: ConnectionEntity): Promise<ConnectionView> {
    const [view] = await this.of([connection]);
    return view as ConnectionView;
  }
}
