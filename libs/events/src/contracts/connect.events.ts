import { IsArray, IsIn, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Min } from 'class-validator';
import { defineEvent } from './event-definition';

class ConnectAttempt {
  @IsUUID() sessionId: string;
  @IsUUID() connectionId: string;
  @IsUUID() workspaceId: string;
  @IsUUID() connectorId: string;
  @IsInt() @Min(1) connectorVersion: number;
  @IsString() endUserId: string;
  /** True when the session re-authorizes an existing connection. */
  @IsIn([true, false]) reconnect: boolean;
}

/** The provider redirected back with a code; the code and PKCE verifier travel sealed, never in plaintext. */
export class CodeReceivedPayload extends ConnectAttempt {
  @IsString() sealedCode: string;
  @IsOptional() @IsString() sealedCodeVerifier?: string;
  @IsString() redirectUri: string;
  @IsArray() @IsString({ each: true }) requestedScopes: string[];
  @IsISO8601() receivedAt: string;
}

/** An end user typed a non-OAuth credential (Basic, API key, bearer token, custom fields); sealed. */
export class CredentialsSubmittedPayload extends ConnectAttempt {
  @IsIn(['BASIC', 'API_KEY', 'BEARER', 'CUSTOM']) mode: 'BASIC' | 'API_KEY' | 'BEARER' | 'CUSTOM';
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
