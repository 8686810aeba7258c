/**
 * PostgreSQL storage for oidc-provider, in a schema of its own (`sandbox_provider` by default):
 * sessions, grants, codes and tokens, plus the signing and cookie keys, so a restarted sandbox
 * still accepts the refresh tokens it issued and the ID tokens it signed.
 *
 * Rows are keyed by the SHA-256 of the id, and token payloads are stored without their `jti`:
 * for opaque tokens the id is the token itself, and it should not sit in the database in the clear.
 */
import { createHash } from 'node:crypto';

import pg from 'pg';

import { newProviderKeys } from './provider-keys.mjs';

/** Models whose id is a bearer secret (the token value, code or device code). */
const SECRET_IDS = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'ClientCredentials',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'InitialAccessToken',
  'RegistrationAccessToken',
  'PushedAuthorizationRequest',
]);

const hashId = (id) => createHash('sha256').update(id).digest('base64url');

function migrationSql(schema) {
  return `
    CREATE SCHEMA IF NOT EXISTS "${schema}";
    CREATE TABLE IF NOT EXISTS "${schema}".oidc_entries (
      model text NOT NULL,
      id_hash text NOT NULL,
      payload jsonb NOT NULL,
      grant_id text,
      uid text,
      user_code text,
      expires_at timestamptz,
      PRIMARY KEY (model, id_hash)
    );
    CREATE INDEX IF NOT EXISTS oidc_entries_grant_id ON "${schema}".oidc_entries (grant_id) WHERE grant_id IS NOT NULL;
    CREATE INDEX IF NOT EXISTS oidc_entries_uid ON "${schema}".oidc_entries (uid) WHERE uid IS NOT NULL;
    CREATE INDEX IF NOT EXISTS oidc_entries_user_code ON "${schema}".oidc_entries (user_code) WHERE user_code IS NOT NULL;
    CREATE INDEX IF NOT EXISTS oidc_entries_expires_at ON "${schema}".oidc_entries (expires_at) WHERE expires_at IS NOT NULL;
    CREATE TABLE IF NOT EXISTS "${schema}".provider_keys (
      name text PRIMARY KEY,
      value jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );`;
}

async function inTransaction(pool, work) {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/**
 * The keys of the first sandbox that used this schema; a later (or concurrent) start takes those,
 * so tokens and cookies stay valid across restarts.
 */
async function loadOrCreateKeys(client, schema) {
  await client.query(
    `INSERT INTO "${schema}".provider_keys (name, value) VALUES ('provider', $1) ON CONFLICT (name) DO NOTHING`,
    [JSON.stringify(newProviderKeys())],
  );
  const { rows } = await client.query(`SELECT value FROM "${schema}".provider_keys WHERE name = 'provider'`);
  return rows[0].value;
}

function adapterClass(pool, schema) {
  const live = '(expires_at IS NULL OR expires_at > now())';
  const fromRow = (model, id, row) => {
    if (!row) return undefined;
    return SECRET_IDS.has(model) ? { ...row.payload, jti: id } : row.payload;
  };

  return class PostgresAdapter {
    constructor(model) {
      this.model = model;
    }

    async upsert(id, payload, expiresIn) {
      const stored = SECRET_IDS.has(this.model) ? { ...payload, jti: undefined } : payload;
      await pool.query(
        `INSERT INTO "${schema}".oidc_entries (model, id_hash, payload, grant_id, uid, user_code, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $7::int IS NULL THEN NULL ELSE now() + make_interval(secs => $7::int) END)
         ON CONFLICT (model, id_hash) DO UPDATE SET payload = EXCLUDED.payload, grant_id = EXCLUDED.grant_id,
           uid = EXCLUDED.uid, user_code = EXCLUDED.user_code, expires_at = EXCLUDED.expires_at`,
        [this.model, hashId(id), JSON.stringify(stored), payload.grantId ?? null, payload.uid ?? null, payload.userCode ?? null, expiresIn || null],
      );
    }

    async find(id) {
      const { rows } = await pool.query(
        `SELECT payload FROM "${schema}".oidc_entries WHERE model = $1 AND id_hash = $2 AND ${live}`,
        [this.model, hashId(id)],
      );
      return fromRow(this.model, id, rows[0]);
    }

    async findByUid(uid) {
      const { rows } = await pool.query(
        `SELECT payload FROM "${schema}".oidc_entries WHERE model = $1 AND uid = $2 AND ${live}`,
        [this.model, uid],
      );
      return rows[0]?.payload;
    }

    async findByUserCode(userCode) {
      const { rows } = await pool.query(
        `SELECT payload FROM "${schema}".oidc_entries WHERE model = $1 AND user_code = $2 AND ${live}`,
        [this.model, userCode],
      );
      return rows[0]?.payload;
    }

    async consume(id) {
      await pool.query(
        `UPDATE "${schema}".oidc_entries SET payload = payload || jsonb_build_object('consumed', extract(epoch FROM now())::bigint)
         WHERE model = $1 AND id_hash = $2`,
        [this.model, hashId(id)],
      );
    }

    async destroy(id) {
      await pool.query(`DELETE FROM "${schema}".oidc_entries WHERE model = $1 AND id_hash = $2`, [this.model, hashId(id)]);
    }

    async revokeByGrantId(grantId) {
      await pool.query(`DELETE FROM "${schema}".oidc_entries WHERE model = $1 AND grant_id = $2`, [this.model, grantId]);
    }
  };
}

/** Opens the store, creating the schema, tables and keys when they are missing. */
export async function openPostgresStore({ url, schema }) {
  const pool = new pg.Pool({ connectionString: url, max: 4, application_name: 'sandbox-provider' });
  try {
    const keys = await inTransaction(pool, async (client) => {
      // Two sandboxes starting at once on a fresh database would race on CREATE SCHEMA.
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`sandbox-provider:${schema}`]);
      await client.query(migrationSql(schema));
      return loadOrCreateKeys(client, schema);
    });
    return {
      Adapter: adapterClass(pool, schema),
      keys,
      async grantIdsForAccount(accountId) {
        const { rows } = await pool.query(
          `SELECT payload->>'jti' AS id FROM "${schema}".oidc_entries WHERE model = 'Grant' AND payload->>'accountId' = $1 AND (expires_at IS NULL OR expires_at > now())`,
          [accountId],
        );
        return rows.map((row) => row.id);
      },
      async sweepExpired() {
        await pool.query(`DELETE FROM "${schema}".oidc_entries WHERE expires_at <= now()`);
      },
      close: () => pool.end(),
    };
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw err;
  }
}
