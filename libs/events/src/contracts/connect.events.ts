import { Type } from 'class-transformer';
import { IsArray, IsIn, IsInt, IsISO8601, IsObject, IsOptional, IsString, IsUUID, MaxLength, Min, ValidateNested } from 'class-validator';
import { defineEvent } from './event-definition';

/** What the calling app told about the end user, beyond the id; personal data (e-mail), never secret, never logged. */
export class EndUserDetails {
  @IsOptional() @IsString() @MaxLength(256) displayName?: string;
  /** Checked as an e-mail address where the session was opened. */
  @IsOptional() @IsString() @MaxLength(254) email?: string;
  @IsOptional() @IsString() @MaxLength(256) organizationId?: string;
}

class ConnectAttempt {
  @IsUUID() sessionId: string;
  @IsUUID() connectionId: string;
  @IsUUID() workspaceId: string;
  @IsUUID() connectorId: string;
  @IsInt() @Min(1) connectorVersion: number;
  @IsString() endUserId: string;
  /** True when the session re-authorizes an existing connection. */
  @IsIn([true, false]) reconnect: boolean;
  /** The `{tenant}` of the connector's URLs for this connection (not secret). */
  @IsOptional() @IsString() tenant?: string;
  /** Required attribute values for `{attr.<key>}` URL placeholders (not secret). */
  @IsOptional() @IsObject() attributes?: Record<string, string>;
  /** Added later (optional): the end user's name, e-mail and organization, when the app gave them. */
  @IsOptional() @ValidateNested() @Type(() => EndUserDetails) endUser?: EndUserDetails;
  /** Added later (optional): the product's metadata for the connection, given when the session opened; never secret. */
  @IsOptional() @IsObject() metadata?: Record<string, unknown>;
  /** Added later (optional): the connection's tags, given when the session opened. */
  @IsOptional() @IsObject() tags?: Record<string, string>;
}

/** The provider redirected back with a code; the code and PKCE verifier travel sealed, never in plaintext. */
export class CodeReceivedPayload extends ConnectAttempt {
  @IsString() sealedCode: string;
  @IsOptional() @IsString() sealedCodeVerifier?: string;
  @IsString() redirectUri: string;
  @IsArray() @IsString({ each: true }) requestedScopes: string[];
  @IsISO8601() receivedAt: string;
}

/**
 * An end user typed a non-OAuth credential (Basic, API key, bearer token, custom fields); sealed.
 * `OAUTH2` is a client-credentials connector: no user input (`sealedInput` seals `{}`), the token
 * leg obtains the token with the connector's own client credentials.
 */
export class CredentialsSubmittedPayload extends ConnectAttempt {
  @IsIn(['BASIC', 'API_KEY', 'BEARER', 'CUSTOM', 'OAUTH2']) mode: 'BASIC' | 'API_KEY' | 'BEARER' | 'CUSTOM' | 'OAUTH2';
  @IsString() sealedInput: string;
  @IsOptional() @IsISO8601() expiresAt?: string;
  @IsISO8601() submittedAt: string;
}

export const CodeReceived = defineEvent({
  name: 'CodeReceived',
  type: 'dev.credential-broker.code.received.v1',
  version: 1,
  topic: 'credential-broker.code-received.v1',
  payload: CodeReceivedPayload,
  key: (p) => p.connectionId,
  producer: 'oauth-authorization',
  consumers: ['token-issuance'],
});

export const CredentialsSubmitted = defineEvent({
  name: 'CredentialsSubmitted',
  type: 'dev.credential-broker.credentials.submitted.v1',
  version: 1,
  topic: 'credential-broker.credentials-submitted.v1',
  payload: CredentialsSubmittedPayload,
  key: (p) => p.connectionId,
  producer: 'oauth-authorization',
  consumers: ['token-issuance'],
});
