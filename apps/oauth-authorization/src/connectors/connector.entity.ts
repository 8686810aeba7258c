import { Column, Entity } from 'typeorm';
import { ConnectorProjectionColumns } from '@cb/connector-projection';

/** What this service knows of a connector: the latest activated version's non-secret configuration. */
@Entity({ name: 'connectors' })
export class ConnectorEntity extends ConnectorProjectionColumns {
  /** Keys of password fields whose default is a secret held (sealed) by token-issuance only. */
  @Column({ name: 'secret_field_defaults', type: 'text', array: true }) secretFieldDefaults: string[];
}
