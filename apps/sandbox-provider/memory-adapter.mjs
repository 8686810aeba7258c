/**
 * In-memory storage adapter for oidc-provider.
 *
 * Behaves like oidc-provider's bundled memory adapter (lib/adapters/memory_adapter.js) but uses a
 * plain Map instead of a 1000-entry LRU, so long test runs never silently evict sessions or grants,
 * and it can list the grants of an account (used by POST /_sandbox/revoke-grants).
 * Everything is lost when the process exits (SANDBOX_DATABASE_URL keeps it: postgres-store.mjs).
 */
import { newProviderKeys } from './provider-keys.mjs';

/** key -> { payload, expiresAt (ms) } */
const storage = new Map();

const GRANTABLE = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
]);

const grantKeyFor = (id) => `grant:${id}`;
const sessionUidKeyFor = (id) => `sessionUid:${id}`;
const userCodeKeyFor = (userCode) => `userCode:${userCode}`;

function get(key) {
  const entry = storage.get(key);
  if (!entry) return undefined;
  if (entry.expiresAt !== undefined && entry.expiresAt <= Date.now()) {
    storage.delete(key);
    return undefined;
  }
  return entry.value;
}

function set(key, value, expiresInSeconds) {
  storage.set(key, {
    value,
    expiresAt: expiresInSeconds ? Date.now() + expiresInSeconds * 1000 : undefined,
  });
}

export class MemoryAdapter {
  constructor(model) {
    this.model = model;
  }

  key(id) {
    return `${this.model}:${id}`;
  }

  async destroy(id) {
    storage.delete(this.key(id));
  }

  async consume(id) {
    const payload = get(this.key(id));
    if (payload) payload.consumed = Math.floor(Date.now() / 1000);
  }

  async find(id) {
    return get(this.key(id));
  }

  async findByUid(uid) {
    const id = get(sessionUidKeyFor(uid));
    return id === undefined ? undefined : this.find(id);
  }

  async findByUserCode(userCode) {
    const id = get(userCodeKeyFor(userCode));
    return id === undefined ? undefined : this.find(id);
  }

  async upsert(id, payload, expiresIn) {
    const key = this.key(id);

    if (this.model === 'Session') {
      set(sessionUidKeyFor(payload.uid), id, expiresIn);
    }

    const { grantId, userCode } = payload;
    if (GRANTABLE.has(this.model) && grantId) {
      const grantKey = grantKeyFor(grantId);
      const keys = get(grantKey);
      if (keys) {
        keys.push(key);
      } else {
        // the list lives as long as the grant's longest-lived token could
        set(grantKey, [key], undefined);
      }
    }

    if (userCode) {
      set(userCodeKeyFor(userCode), id, expiresIn);
    }

    set(key, payload, expiresIn);
  }

  async revokeByGrantId(grantId) {
    const grantKey = grantKeyFor(grantId);
    const keys = get(grantKey);
    if (keys) {
      keys.forEach((key) => storage.delete(key));
      storage.delete(grantKey);
    }
  }
}

/** Ids of the (unexpired) Grant entities that belong to accountId. */
function grantIdsForAccount(accountId) {
  const ids = [];
  for (const key of storage.keys()) {
    if (!key.startsWith('Grant:')) continue;
    const payload = get(key);
    if (payload && payload.accountId === accountId) ids.push(key.slice('Grant:'.length));
  }
  return ids;
}

/** Drops expired entries; called periodically so a long-running sandbox does not grow forever. */
function sweepExpired() {
  for (const key of storage.keys()) get(key);
  for (const key of storage.keys()) {
    if (!key.startsWith('grant:')) continue;
    const keys = get(key).filter((tokenKey) => storage.has(tokenKey));
    if (keys.length === 0) storage.delete(key);
    else set(key, keys, undefined);
  }
}

/** The same interface as openPostgresStore, with keys made for this process only. */
export async function openMemoryStore() {
  return {
    Adapter: MemoryAdapter,
    keys: newProviderKeys(),
    grantIdsForAccount: async (accountId) => grantIdsForAccount(accountId),
    sweepExpired: async () => sweepExpired(),
    close: async () => undefined,
  };
}
