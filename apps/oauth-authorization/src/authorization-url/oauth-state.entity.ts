import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One authorization request. `stateHash` is SHA-256 of the `state` sent to the provider; the PKCE
 * verifier is sealed with the context `oauth_states:<stateHash>`. Single use: `consumedAt`.
 */
@Entity({ name: 'oauth_states' })
export class OAuthStateEntity {
  @PrimaryColumn({ name: 'state_hash', type: 'text' }) stateHash: string;
  @Column({ name: 'session_id', type: 'uuid' }) sessionId: string;
  @Column({ name: 'sealed_code_verifier', type: 'text', nullable: true }) sealedCodeVerifier: string | null;
  @Column({ name: 'redirect_uri', type: 'text' }) redirectUri: string;
  @Column({ name: 'expected_issuer', type: 'text', nullable: true }) expectedIssuer: string | null;
  @Column({ name: 'requested_scopes', type: 'jsonb' }) requestedScopes: string[];
  @Column({ name: 'expires_at', type: 'timestamptz' }) expiresAt: Date;
  @Column({ name: 'consumed_at', type: 'timestamptz', nullable: true }) consumedAt: Date | null;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}

export function stateContext(stateHash: string): string {
  return `oauth_states:${stateHash}`;
}
