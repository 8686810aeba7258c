import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A client the broker registered for a connector (RFC 7591). The client id and secret live in the
 * connector's configuration like any other; this row keeps what managing the registration needs
 * (RFC 7592), the registration access token sealed, and when the secret expires (renewed before then).
 */
@Entity({ name: 'client_registrations' })
export class ClientRegistrationEntity {
  @PrimaryColumn('uuid', { name: 'connector_id' }) connectorId: string;
  @Column('uuid', { name: 'workspace_id' }) workspaceId: string;
  @Column('text', { name: 'registration_endpoint' }) registrationEndpoint: string;
  @Column('text', { name: 'registration_client_uri', nullable: true }) registrationClientUri: string | null;
  @Column('text', { name: 'sealed_registration_access_token', nullable: true }) sealedRegistrationAccessToken: string | null;
  @Column('timestamptz', { name: 'client_secret_expires_at', nullable: true }) clientSecretExpiresAt: Date | null;
  @Column('timestamptz', { name: 'registered_at' }) registeredAt: Date;
  /** When the current secret was issued: renewal is due two thirds of the way to its expiry. */
  @Column('timestamptz', { name: 'secret_issued_at' }) secretIssuedAt: Date;
  @Column('timestamptz', { name: 'renewal_lease_until', nullable: true }) renewalLeaseUntil: Date | null;
}
