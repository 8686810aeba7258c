/**
 * Each service connects to PostgreSQL as its own role, which owns its schema and reaches no other:
 * a service that is taken over (an injected query, its connection string read from its
 * environment) can read and change its own tables only. The rest of the suite shows that each role
 * can do its own work: every test system connects every service that way.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { MessagingTables1764300000000 } from '@cb/messaging';
import { DATABASE_SERVICES, type DatabaseService, openServiceDatabase, provisionServiceDatabase, SERVICE_SCHEMAS, serviceRole } from '@cb/platform';
import { ENTITIES as GATEWAY_ENTITIES } from '../../apps/gateway/src/gateway.module';
import { MIGRATIONS as GATEWAY_MIGRATIONS } from '../../apps/gateway/src/migrations';
import { createWorkspaceWithAdminKey } from '../../apps/gateway/src/workspaces/create-workspace';
import { MIGRATIONS as TOKEN_ISSUANCE_MIGRATIONS } from '../../apps/token-issuance/src/migrations';
import { ENTITIES as TOKEN_ISSUANCE_ENTITIES } from '../../apps/token-issuance/src/token-issuance.module';
import { harnessEnv, newDatabaseRoles, serviceDatabaseUrls } from '../harness';
import { harnessRoles } from '../harness/database-roles';
import { RunningSystem, startSystem } from '../support/system';
import { activeConnector, apiKeyConnection, newWorkspace, withDb } from './hostile-support';

const INSUFFICIENT_PRIVILEGE = '42501';

/** The SQLSTATE a statement fails with, or 'ok'. */
async function outcome(db: Client, sql: string): Promise<string> {
  try {
    await db.query(sql);
    return 'ok';
  } catch (error) {
    return (error as { code?: string }).code ?? (error as Error).message;
  }
}

async function tablesBySchema(db: Client): Promise<Record<string, string[]>> {
  const { rows } = await db.query<{ schema: string; table: string }>(
    "SELECT table_schema AS schema, table_name AS table FROM information_schema.tables WHERE table_schema = ANY($1) AND table_type = 'BASE TABLE' ORDER BY 1, 2",
    [Object.values(SERVICE_SCHEMAS)],
  );
  const bySchema: Record<string, string[]> = {};
  for (const { schema, table } of rows) (bySchema[schema] ??= []).push(table);
  return bySchema;
}

describe('each service connects as its own database role', () => {
  let system: RunningSystem;
  const role = (service: DatabaseService): string => serviceRole(service, harnessRoles().prefix);

  beforeAll(async () => {
    system = await startSystem();
    // A credential in the vault, so that the attempts below aim at something.
    const workspace = await newWorkspace(system, 'Roles Co');
    const connectorId = await activeConnector(workspace, 'roles-api', { mode: 'API_KEY', headerName: 'X-Key' });
    await apiKeyConnection(system, workspace, connectorId, 'roles-user', 'api-key-the-others-must-not-read');
  });

  afterAll(async () => {
    await system?.stop();
  });

  it('runs every service as its role, which owns its schema and everything in it (its migrations ran as it)', async () => {
    await withDb(system.databaseUrl, async (db) => {
      const sessions = await db.query<{ role: string; application: string }>(
        "SELECT usename AS role, application_name AS application FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name <> ''",
      );
      for (const service of DATABASE_SERVICES) {
        const own = sessions.rows.filter((s) => s.application.startsWith(`${service}-`));
        expect({ service, roles: [...new Set(own.map((s) => s.role))] }).toEqual({ service, roles: [role(service)] });
      }
      const owners = await db.query<{ schema: string; object: string; owner: string }>(
        `SELECT n.nspname AS schema, '(schema)' AS object, pg_get_userbyid(n.nspowner) AS owner FROM pg_namespace n WHERE n.nspname = ANY($1)
         UNION ALL
         SELECT n.nspname, c.relname, pg_get_userbyid(c.relowner) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ANY($1) AND c.relkind IN ('r', 'p', 'S', 'v', 'm')
         UNION ALL
         SELECT n.nspname, p.proname, pg_get_userbyid(p.proowner) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = ANY($1)`,
        [Object.values(SERVICE_SCHEMAS)],
      );
      const roleOfSchema = Object.fromEntries(DATABASE_SERVICES.map((service) => [SERVICE_SCHEMAS[service], role(service)]));
      expect(owners.rows.filter((row) => row.owner !== roleOfSchema[row.schema])).toEqual([]);
      expect(owners.rows.filter((row) => row.object === 'migrations').map((row) => row.schema).sort()).toEqual(Object.values(SERVICE_SCHEMAS).sort());
    });
  });

  it("gives the gateway's role permission denied on token-issuance's connections, and token-refresh's on the credentials", async () => {
    await withDb(system.databaseUrls.gateway, async (db) => {
      await expect(db.query('SELECT * FROM token_issuance.connections')).rejects.toMatchObject({ code: INSUFFICIENT_PRIVILEGE, message: 'permission denied for schema token_issuance' });
      await expect(db.query('SELECT * FROM connector_config.connectors')).rejects.toMatchObject({ code: INSUFFICIENT_PRIVILEGE });
    });
    await withDb(system.databaseUrls['token-refresh'], async (db) => {
      await expect(db.query('SELECT sealed_credential FROM token_issuance.connections')).rejects.toMatchObject({ code: INSUFFICIENT_PRIVILEGE, message: 'permission denied for schema token_issuance' });
      await expect(db.query('SELECT count(*) FROM token_refresh.refresh_schedule')).resolves.toMatchObject({ rowCount: 1 });
    });
    // The credential is there to be read, by the one role that owns it.
    await withDb(system.databaseUrls['token-issuance'], async (db) => {
      expect((await db.query('SELECT sealed_credential FROM token_issuance.connections')).rowCount).toBe(1);
    });
  });

  it("refuses every service's role every read, write and change in every other service's schema", async () => {
    const tables = await withDb(system.databaseUrl, tablesBySchema);
    expect(Object.keys(tables).sort()).toEqual(Object.values(SERVICE_SCHEMAS).sort());
    const allowed: string[] = [];
    for (const service of DATABASE_SERVICES) {
      await withDb(system.databaseUrls[service], async (db) => {
        for (const [schema, names] of Object.entries(tables)) {
          if (schema === SERVICE_SCHEMAS[service]) continue;
          const attempts = [
            ...names.flatMap((table) => [`SELECT * FROM "${schema}"."${table}" LIMIT 1`, `DELETE FROM "${schema}"."${table}"`, `ALTER TABLE "${schema}"."${table}" ADD COLUMN intruder int`]),
            `CREATE TABLE "${schema}".intruder (x int)`,
            `ALTER SCHEMA "${schema}" RENAME TO intruder`,
          ];
          for (const sql of attempts) {
            const result = await outcome(db, sql);
            if (result !== INSUFFICIENT_PRIVILEGE) allowed.push(`${service}: ${sql} -> ${result}`);
          }
        }
      });
    }
    expect(allowed).toEqual([]);
  });

  it('lets no service role create in public, act as another role, or make roles, schemas and databases', async () => {
    const allowed: string[] = [];
    for (const service of DATABASE_SERVICES) {
      const other = role(service === 'gateway' ? 'token-issuance' : 'gateway');
      await withDb(system.databaseUrls[service], async (db) => {
        for (const sql of ['CREATE TABLE public.intruder (x int)', `SET ROLE ${other}`, 'CREATE ROLE intruder', 'CREATE DATABASE intruder', 'CREATE SCHEMA intruder']) {
          const result = await outcome(db, sql);
          if (result !== INSUFFICIENT_PRIVILEGE) allowed.push(`${service}: ${sql} -> ${result}`);
        }
        const attributes = await db.query('SELECT rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls FROM pg_roles WHERE rolname = current_user');
        expect(attributes.rows[0]).toEqual({ rolsuper: false, rolcreaterole: false, rolcreatedb: false, rolreplication: false, rolbypassrls: false });
        expect((await db.query('SELECT 1 FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member WHERE r.rolname = current_user')).rowCount).toBe(0);
      });
    }
    expect(allowed).toEqual([]);
  });
});

describe('the provisioning step on a database an earlier version migrated as the admin', () => {
  const name = `test_${randomBytes(6).toString('hex')}`;
  const roles = newDatabaseRoles();
  let adminUrl: string;

  beforeAll(async () => {
    await withDb(harnessEnv().databaseUrl, (db) => db.query(`CREATE DATABASE ${name}`));
    const url = new URL(harnessEnv().databaseUrl);
    url.pathname = `/${name}`;
    adminUrl = url.toString();
  });

  afterAll(async () => {
    await withDb(harnessEnv().databaseUrl, async (db) => {
      await db.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      for (const service of DATABASE_SERVICES) await db.query(`DROP ROLE IF EXISTS ${serviceRole(service, roles.prefix)}`);
    });
  });

  it('hands each schema, its tables, sequences and trigger functions to the role, which then migrates and works in it', async () => {
    // Before per-service roles every service migrated as the one DATABASE_URL, often the admin's.
    const earlier = [
      { schema: 'gateway', entities: GATEWAY_ENTITIES, migrations: GATEWAY_MIGRATIONS },
      { schema: 'token_issuance', entities: TOKEN_ISSUANCE_ENTITIES, migrations: [MessagingTables1764300000000, ...TOKEN_ISSUANCE_MIGRATIONS] },
    ];
    for (const { schema, entities, migrations } of earlier) {
      const dataSource = await openServiceDatabase({ url: adminUrl, schema, applicationName: 'earlier-version', entities, migrations, poolSize: 2 });
      await dataSource.destroy();
    }

    const first = await provisionServiceDatabase({ adminUrl, prefix: roles.prefix, passwords: roles.passwords });
    const gatewayChanges = first.roles.find((r) => r.service === 'gateway')?.changes ?? [];
    expect(gatewayChanges).toEqual(expect.arrayContaining(['created role', expect.stringMatching(/^took over schema gateway from /), 'took over gateway.api_keys', 'took over gateway.notify_api_key_changed()']));
    const strangers = await withDb(adminUrl, async (db) =>
      (
        await db.query<{ schema: string; object: string; owner: string }>(
          `SELECT n.nspname AS schema, c.relname AS object, pg_get_userbyid(c.relowner) AS owner FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname IN ('gateway', 'token_issuance')
           UNION ALL SELECT n.nspname, p.proname, pg_get_userbyid(p.proowner) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname IN ('gateway', 'token_issuance')`,
        )
      ).rows.filter((row) => row.owner !== `${roles.prefix}${row.schema}`),
    );
    expect(strangers).toEqual([]);

    // The gateway's role migrates (nothing pending), writes, and its trigger (now its own) fires.
    const urls = serviceDatabaseUrls(adminUrl, roles);
    const gateway = await openServiceDatabase({ url: urls.gateway, schema: 'gateway', applicationName: 'gateway-after', entities: GATEWAY_ENTITIES, migrations: GATEWAY_MIGRATIONS, poolSize: 2 });
    try {
      const { apiKeyId } = await createWorkspaceWithAdminKey(gateway, 'Taken Over Co');
      await gateway.query('UPDATE gateway.api_keys SET revoked_at = now() WHERE id = $1', [apiKeyId]);
    } finally {
      await gateway.destroy();
    }
    await withDb(urls.gateway, async (db) => {
      await expect(db.query('SELECT * FROM token_issuance.connections')).rejects.toMatchObject({ code: INSUFFICIENT_PRIVILEGE });
    });

    // A second run finds nothing to change.
    const second = await provisionServiceDatabase({ adminUrl, prefix: roles.prefix, passwords: roles.passwords });
    expect(second.roles.map((r) => r.changes)).toEqual(DATABASE_SERVICES.map(() => []));
  });
});
