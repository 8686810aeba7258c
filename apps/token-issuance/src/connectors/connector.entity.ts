import { Column, Entity } from 'typeorm';
import { ConnectorProjectionColumns } from '@cb/connector-projection';

/**
 * The latest activated version of a connector. Secrets are re-sealed for this table with the
 * contexts `connectors:<connectorId>:clientSecret` and `connectors:<connectorId>:fields.<key>`.
 */
@Entity({ name: 'connectors' })
export class ConnectorEntity extends ConnectorProjectionColumns {
  @Column({ name: 'sealed_client_secret', type: 'text', nullable: true }) sealedClientSecret: string | null;
  /** Field key → sealed default of a password field. */
  @Column({ name: 'sealed_field_defaults', type: 'jsonb' }) sealedFieldDefaults: Record<string, string>;
}

export const clientSecretContext = (connectorId: string): string => `connectors:${connectorId}:clientSecret`;
export const fieldDefaultContext = (connectorId: string, key: string): string => `connectors:${connectorId}:fields.${key}`;
