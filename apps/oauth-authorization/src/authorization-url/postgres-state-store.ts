import { createHash, randomBytes } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { Keyring } from '@cb/vault-crypto';
import { OAuthStateEntity, stateContext } from './oauth-state.entity';

/** What the strategy's caller puts in `req`: the transaction the state row is written in. */
export interface StateStoreRequest {
  query: Record<string, string>;
  manager: EntityManager;
}

/** Bound to the state when it is stored (passport-oauth2's `options.state`). */
export interface StateBinding {
  sessionId: string;
  redirectUri: string;
  expectedIssuer: string | null;
  requestedScopes: string[];
}

export type StateVerification =
  | { ok: true; state: OAuthStateEntity; codeVerifier: string | null }
  | { ok: false; reason: 'unknown_state' | 'state_reused' | 'state_expired'; state: OAuthStateEntity | null };

/**
 * passport-oauth2 state store backed by PostgreSQL. `state` is 256 random bits, stored only as its
 * SHA-256, single use and short-lived; the PKCE verifier is sealed.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-10.12
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-2.1
 */
export class PostgresStateStore {
  constructor(
    private readonly keyring: Keyring,
    private readonly ttlSeconds: number,
  ) {}

  /** passport-oauth2 calls this with arity 5 when PKCE is on. */
  store(req: StateStoreRequest, verifier: string | undefined, binding: StateBinding, _meta: unknown, callback: (err: Error | null, state?: string) => void): void {
    const handle = randomBytes(32).toString('base64url');
    const stateHash = hashState(handle);
    const row: OAuthStateEntity = {
      stateHash,
      sessionId: binding.sessionId,
      sealedCodeVerifier: verifier ? this.keyring.seal(verifier, stateContext(stateHash)) : null,
      redirectUri: binding.redirectUri,
      expectedIssuer: binding.expectedIssuer,
      requestedScopes: binding.requestedScopes,
      expiresAt: new Date(Date.now() + this.ttlSeconds * 1000),
      consumedAt: null,
      createdAt: new Date(),
    };
    req.manager
      .getRepository(OAuthStateEntity)
      .insert(row)
      .then(
        () => callback(null, handle),
        (error: Error) => callback(error),
      );
  }

  /** Arity 4; consumes the state (first use wins) and answers with the opened verifier. */
  verify(req: StateStoreRequest, providedState: string, _meta: unknown, callback: (err: Error | null, ok: false | string | true, info: StateVerification) => void): void {
    this.consume(req.manager, providedState).then(
      (result) => callback(null, result.ok ? (result.codeVerifier ?? true) : false, result),
      (error: Error) => callback(error, false, { ok: false, reason: 'unknown_state', state: null }),
    );
  }

  async consume(manager: EntityManager, providedState: string): Promise<StateVerification> {
    if (!providedState || providedState.length > 512) return { ok: false, reason: 'unknown_state', state: null };
    const stateHash = hashState(providedState);
    const repository = manager.getRepository(OAuthStateEntity);
    const state = await repository.findOne({ where: { stateHash }, lock: { mode: 'pessimistic_write' } });
    if (!state) return { ok: false, reason: 'unknown_state', state: null };
    if (state.consumedAt) return { ok: false, reason: 'state_reused', state };
    await repository.update({ stateHash }, { consumedAt: new Date() });
    if (state.expiresAt.getTime() <= Date.now()) return { ok: false, reason: 'state_expired', state };
    const codeVerifier = state.sealedCodeVerifier ? this.keyring.open(state.sealedCodeVerifier, stateContext(stateHash)) : null;
    return { ok: true, state, codeVerifier };
  }
}

export function hashState(state: string): string {
  return createHash('sha256').update(state).digest('hex');
}
