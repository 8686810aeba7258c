import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsNotEmpty, IsObject, IsOptional, IsString, IsUUID, Min, ValidateNested } from 'class-validator';
import { defineEvent } from './event-definition';

const AUTH_MODES = ['OAUTH2', 'BASIC', 'API_KEY', 'BEARER', 'CUSTOM'] as const;

/**
 * Secrets a consumer needs to act for the connector (the OAuth client secret, secret field defaults),
 * each sealed with the vault keyring (AES-256-GCM, key id inside). Never plaintext: see ADR 0003.
 */
export class SealedSecretsDto {
  @IsOptional() @IsString() clientSecret?: string;
  @IsOptional() @IsObject() fieldDefaults?: Record<string, string>;
}

/** The field key a sealed default belongs to: named by key, or by secret path `fields.<key>.default`. */
export function sealedFieldDefaultKey(name: string): string {
  return /^fields\.(.+)\.default$/.exec(name)?.[1] ?? name;
}

export class ConnectorActivatedPayload {
  @IsUUID() connectorId: string;
  @IsUUID() workspaceId: string;
  @IsString() @IsNotEmpty() slug: string;
  @IsString() @IsNotEmpty() name: string;
  @IsIn(AUTH_MODES) mode: (typeof AUTH_MODES)[number];
  @IsInt() @Min(1) version: number;
  /** The connector's configuration without its secrets. */
  @IsObject() config: Record<string, unknown>;
  @ValidateNested() @Type(() => SealedSecretsDto) sealedSecrets: SealedSecretsDto;
  @IsISO8601() activatedAt: string;
}

export class ConnectorDeactivatedPayload {
  @IsUUID() connectorId: string;
  @IsUUID() workspaceId: string;
  @IsInt() @Min(1) version: number;
  @IsISO8601() deactivatedAt: string;
}

export const ConnectorActivated = defineEvent({
  name: 'ConnectorActivated',
  type: 'dev.credential-broker.connector.activated.v1',
  version: 1,
  topic: 'credential-broker.connector-activated.v1',
  payload: ConnectorActivatedPayload,
  key: (p) => p.connectorId,
  producer: 'connector-config',
  consumers: ['oauth-authorization', 'token-issuance', 'connector-config'],
});

export const ConnectorDeactivated = defineEvent({
  name: 'ConnectorDeactivated',
  type: 'dev.credential-broker.connector.deactivated.v1',
  version: 1,
  topic: 'credential-broker.connector-deactivated.v1',
  payload: ConnectorDeactivatedPayload,
  key: (p) => p.connectorId,
  producer: 'connector-config',
  consumers: ['oauth-authorization', 'token-issuance', 'connector-config'],
});
