import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { KEYRING } from '@cb/service-runtime';
import type { Keyring } from '@cb/vault-crypto';
import { OAUTH_AUTHORIZATION_CONFIG, OAuthAuthorizationConfig } from '../oauth-authorization.config';
import { OAuthStateEntity, stateContext } from './oauth-state.entity';

/** What an authorization request binds to its `state`: the callback reads these, never the query. */
export interface StateBinding {
  sessionId: string;
  redirectUri: string;
  expectedIssuer: string | null;
  requestedScopes: string[];
  /** The PKCE verifier (sealed at rest); `null` for a connector without PKCE. */
  codeVerifier: string | null;
}

export type StateConsumption =
  | { ok: true; binding: StateBinding }
  | { ok: false; reason: 'unknown_state' | 'state_reused' | 'state_expired'; sessionId: string | null };

/**
 * The `state` of authorization requests, in the caller's transaction. `state` is 256 random bits,
 * stored only as its SHA-256, single use and short-lived; the PKCE verifier is sealed with the
 * context `oauth_states:<stateHash>`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-10.12
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-2.1
 */
@Injectable()
export class OAuthStateRepository {
  constructor(
    @Inject(KEYRING) private readonly keyring: Keyring,
    @Inject(OAUTH_AUTHORIZATION_CONFIG) private readonly config: OAuthAuthorizationConfig,
  ) {}

  /** Stores a new state bound to `binding`; returns the value to send to the provider. */
  async create(manager: EntityManager, binding: StateBinding): Promise<string> {
    const state = randomBytes(32).toString('base64url');
    const stateHash = hashState(state);
    const now = Date.now();
    await manager.getRepository(OAuthStateEntity).insert({
      stateHash,
      sessionId: binding.sessionId,
      sealedCodeVerifier: binding.codeVerifier === null ? null : this.keyring.seal(binding.codeVerifier, stateContext(stateHash)),
      redirectUri: binding.redirectUri,
      expectedIssuer: binding.expectedIssuer,
      requestedScopes: binding.requestedScopes,
      expiresAt: new Date(now + this.config.oauthStateTtlSeconds * 1000),
      consumedAt: null,
      createdAt: new Date(now),
    });
    return state;
  }

  /** Consumes the state (the first use wins, an expired one too) and opens its verifier. */
  async consume(manager: EntityManager, providedState: string): Promise<StateConsumption> {
    if (!providedState || providedState.length > 512) return { ok: false, reason: 'unknown_state', sessionId: null };
    const stateHash = hashState(providedState);
    const repository = manager.getRepository(OAuthStateEntity);
    const row = await repository.findOne({ where: { stateHash }, lock: { mode: 'pessimistic_write' } });
    if (!row) return { ok: false, reason: 'unknown_state', sessionId: null };
    if (row.consumedAt) return { ok: false, reason: 'state_reused', sessionId: row.sessionId };
    await repository.update({ stateHash }, { consumedAt: new Date() });
    if (row.expiresAt.getTime() <= Date.now()) return { ok: false, reason: 'state_expired', sessionId: row.sessionId };
    return {
      ok: true,
      binding: {
        sessionId: row.sessionId,
        redirectUri: row.redirectUri,
        expectedIssuer: row.expectedIssuer,
        requestedScopes: row.requestedScopes,
        codeVerifier: row.sealedCodeVerifier === null ? null : this.keyring.open(row.sealedCodeVerifier, stateContext(stateHash)),
      },
    };
  }
}

function hashState(state: string): string {
  return createHash('sha256').update(state).digest('hex');
}
