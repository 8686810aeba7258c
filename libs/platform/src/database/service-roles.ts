import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { Client, escapeIdentifier, escapeLiteral } from 'pg';

/**
 * The schema of each service. Each service connects as its own login role (`<prefix><schema>`,
 * e.g. `cb_token_issuance`), which owns that schema and has no right on any other.
 */
export const SERVICE_SCHEMAS = {
  gateway: 'gateway',
  'connector-config': 'connector_config',
  'oauth-authorization': 'oauth_authorization',
  'token-issuance': 'token_issuance',
  'token-refresh': 'token_refresh',
} as const;

export type DatabaseService = keyof typeof SERVICE_SCHEMAS;

export const DATABASE_SERVICES = Object.keys(SERVICE_SCHEMAS) as DatabaseService[];

export const DEFAULT_ROLE_PREFIX = 'cb_';

const PREFIX_PATTERN = /^[a-z_][a-z0-9_]{0,40}$/;
const PASSWORD_PATTERN = /^[A-Za-z0-9._~-]{16,200}$/;

/** `cb_gateway`, `cb_connector_config`, …: the prefix and the schema name. */
export function serviceRole(service: DatabaseService, prefix: string = DEFAULT_ROLE_PREFIX): string {
  return `${checkRolePrefix(prefix)}${SERVICE_SCHEMAS[service]}`;
}

/** `GATEWAY_DATABASE_PASSWORD`, `CONNECTOR_CONFIG_DATABASE_PASSWORD`, …: where the provisioning step finds each role's password. */
export function servicePasswordVariable(service: DatabaseService): string {
  return `${SERVICE_SCHEMAS[service].toUpperCase()}_DATABASE_PASSWORD`;
}

/** Lower-case letters, digits and `_`, starting with a letter or `_` (a role name never needs quoting then). */
export function checkRolePrefix(prefix: string): string {
  if (!PREFIX_PATTERN.test(prefix)) throw new Error('must be lower-case letters, digits and _, starting with a letter or _, at most 41 characters');
  return prefix;
}

/**
 * At least 16 characters that a URL carries unescaped (A-Z a-z 0-9 . _ ~ -), so the same value
 * works in a compose file's `DATABASE_URL` and everywhere else. The message never shows the value.
 */
export function checkRolePassword(password: string): string {
  if (!PASSWORD_PATTERN.test(password)) throw new Error('must be 16 to 200 characters of A-Z a-z 0-9 . _ ~ - (e.g. openssl rand -hex 24)');
  return password;
}

/** A password for a role: 32 random bytes, hex. */
export function generateRolePassword(): string {
  return randomBytes(32).toString('hex');
}

/** The database of `databaseUrl` (same host, port, database and parameters), as `role`. */
export function serviceDatabaseUrl(databaseUrl: string, role: string, password: string): string {
  const url = new URL(databaseUrl);
  url.username = encodeURIComponent(role);
  url.password = encodeURIComponent(password);
  return url.toString();
}

/**
 * The SCRAM-SHA-256 verifier PostgreSQL stores for `password` (RFC 7677, RFC 5802 §3), computed
 * here so that the password itself never travels in a statement a server could log. The password
 * is plain ASCII (see {@link checkRolePassword}), which SASLprep leaves as it is.
 * @see https://www.postgresql.org/docs/15/catalog-pg-authid.html
 */
export function scramSha256Verifier(password: string, salt: Buffer = randomBytes(16), iterations = 4096): string {
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

export interface ServiceRolesOptions {
  /** A connection to the database that holds the schemas, as a role that may create roles and schemas (a superuser, or CREATEROLE and the database's owner). */
  adminUrl: string;
  prefix?: string;
  passwords: Record<DatabaseService, string>;
}

export interface ProvisionedRole {
  service: DatabaseService;
  role: string;
  schema: string;
  /** What this run changed (`created role`, `took over table gateway.api_keys`, …); empty when all was already so. */
  changes: string[];
}

export interface ProvisionedDatabase {
  database: string;
  roles: ProvisionedRole[];
}

/**
 * Makes the database of `adminUrl` ready for the services, idempotently: a login role per service
 * (created, or brought back to LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS,
 * member of no other role, with the given password), each owning its schema and everything in it
 * (a schema an earlier version created as the admin is taken over), PUBLIC and the other service
 * roles with no right on it, and no one but the database owner creating in `public`. Then each
 * service runs its own migrations as its role.
 */
export async function provisionServiceDatabase(options: ServiceRolesOptions): Promise<ProvisionedDatabase> {
  const prefix = checkRolePrefix(options.prefix ?? DEFAULT_ROLE_PREFIX);
  const client = new Client({ connectionString: options.adminUrl, application_name: 'database-roles' });
  await client.connect();
  try {
    const database = (await client.query<{ db: string }>('SELECT current_database() AS db')).rows[0]?.db ?? '';
    const roles: ProvisionedRole[] = [];
    for (const service of DATABASE_SERVICES) {
      const role = serviceRole(service, prefix);
      const changes = await ensureRole(client, role, checkRolePassword(options.passwords[service]));
      roles.push({ service, role, schema: SERVICE_SCHEMAS[service], changes });
    }
    await client.query('REVOKE CREATE ON SCHEMA public FROM PUBLIC').catch((error: { code?: string }) => {
      if (error.code !== '3F000') throw error; // no public schema: nothing to revoke
    });
    for (const entry of roles) {
      const others = roles.filter((r) => r !== entry).map((r) => r.role);
      entry.changes.push(...(await ensureSchema(client, database, entry.schema, entry.role, others)));
    }
    return { database, roles };
  } finally {
    await client.end();
  }
}

interface RoleRow {
  rolsuper: boolean;
  rolcreatedb: boolean;
  rolcreaterole: boolean;
  rolreplication: boolean;
  rolbypassrls: boolean;
  rolcanlogin: boolean;
}

const SAFE_ATTRIBUTES: Array<[keyof RoleRow, string]> = [
  ['rolsuper', 'NOSUPERUSER'],
  ['rolcreatedb', 'NOCREATEDB'],
  ['rolcreaterole', 'NOCREATEROLE'],
  ['rolreplication', 'NOREPLICATION'],
  ['rolbypassrls', 'NOBYPASSRLS'],
];

async function ensureRole(client: Client, role: string, password: string): Promise<string[]> {
  const name = escapeIdentifier(role);
  const verifier = escapeLiteral(scramSha256Verifier(password));
  const existing = (await client.query<RoleRow>('SELECT rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls, rolcanlogin FROM pg_roles WHERE rolname = $1', [role])).rows[0];
  const changes: string[] = [];
  if (!existing) {
    try {
      await client.query(`CREATE ROLE ${name} LOGIN ${SAFE_ATTRIBUTES.map(([, attribute]) => attribute).join(' ')} PASSWORD ${verifier}`);
      return ['created role'];
    } catch (error) {
      if ((error as { code?: string }).code !== '42710') throw error; // created meanwhile by another run: set it as below
    }
  }
  // Only the attributes that are wrong are named: turning one off may need a superuser.
  const wrong = SAFE_ATTRIBUTES.filter(([column]) => existing?.[column] === true).map(([, attribute]) => attribute);
  if (wrong.length > 0) changes.push(`set ${wrong.join(' ')}`);
  if (existing?.rolcanlogin === false) changes.push('set LOGIN');
  await client.query(`ALTER ROLE ${name} WITH LOGIN ${wrong.join(' ')} PASSWORD ${verifier}`);
  const memberOf = await client.query<{ rolname: string }>(
    'SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles r ON r.oid = m.member WHERE r.rolname = $1',
    [role],
  );
  for (const { rolname } of memberOf.rows) {
    await client.query(`REVOKE ${escapeIdentifier(rolname)} FROM ${name}`);
    changes.push(`revoked membership in ${rolname}`);
  }
  return changes;
}

const RELATION_KINDS: Record<string, string> = { r: 'TABLE', p: 'TABLE', v: 'VIEW', m: 'MATERIALIZED VIEW', f: 'FOREIGN TABLE', S: 'SEQUENCE' };

async function ensureSchema(client: Client, database: string, schema: string, role: string, otherRoles: string[]): Promise<string[]> {
  const changes: string[] = [];
  const owner = escapeIdentifier(role);
  const quotedSchema = escapeIdentifier(schema);
  await client.query(`GRANT CONNECT ON DATABASE ${escapeIdentifier(database)} TO ${owner}`);
  const found = (await client.query<{ owner: string }>('SELECT pg_get_userbyid(nspowner) AS owner FROM pg_namespace WHERE nspname = $1', [schema])).rows[0];
  if (!found) {
    await client.query(`CREATE SCHEMA ${quotedSchema} AUTHORIZATION ${owner}`);
    changes.push(`created schema ${schema}`);
  } else if (found.owner !== role) {
    await client.query(`ALTER SCHEMA ${quotedSchema} OWNER TO ${owner}`);
    changes.push(`took over schema ${schema} from ${found.owner}`);
  }
  // Relations first: a table takes its indexes and the sequences of its identity and serial columns along.
  const relations = await client.query<{ name: string; kind: string }>(
    `SELECT c.oid::regclass::text AS name, c.relkind AS kind FROM pg_class c
     WHERE c.relnamespace = $1::regnamespace AND c.relowner <> $2::regrole AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
       AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i'))
     ORDER BY c.relkind = 'S', c.oid`,
    [schema, role],
  );
  for (const { name, kind } of relations.rows) {
    await client.query(`ALTER ${RELATION_KINDS[kind] ?? 'TABLE'} ${name} OWNER TO ${owner}`);
    changes.push(`took over ${name}`);
  }
  const routines = await client.query<{ name: string }>('SELECT p.oid::regprocedure::text AS name FROM pg_proc p WHERE p.pronamespace = $1::regnamespace AND p.proowner <> $2::regrole', [schema, role]);
  for (const { name } of routines.rows) {
    await client.query(`ALTER ROUTINE ${name} OWNER TO ${owner}`);
    changes.push(`took over ${name}`);
  }
  // Enums, domains, ranges and standalone composite types; a table's row type and array types follow their owner.
  const types = await client.query<{ name: string; kind: string }>(
    `SELECT t.oid::regtype::text AS name, t.typtype AS kind FROM pg_type t
     WHERE t.typnamespace = $1::regnamespace AND t.typowner <> $2::regrole AND t.typtype IN ('e', 'd', 'r', 'c')
       AND (t.typrelid = 0 OR (SELECT c.relkind FROM pg_class c WHERE c.oid = t.typrelid) = 'c')
       AND NOT EXISTS (SELECT 1 FROM pg_type e WHERE e.typarray = t.oid)`,
    [schema, role],
  );
  for (const { name, kind } of types.rows) {
    await client.query(`ALTER ${kind === 'd' ? 'DOMAIN' : 'TYPE'} ${name} OWNER TO ${owner}`);
    changes.push(`took over ${name}`);
  }
  await client.query(`REVOKE ALL ON SCHEMA ${quotedSchema} FROM PUBLIC`);
  for (const other of otherRoles) {
    const grantee = escapeIdentifier(other);
    await client.query(`REVOKE ALL ON SCHEMA ${quotedSchema} FROM ${grantee}`);
    await client.query(`REVOKE ALL ON ALL TABLES IN SCHEMA ${quotedSchema} FROM ${grantee}`);
    await client.query(`REVOKE ALL ON ALL SEQUENCES IN SCHEMA ${quotedSchema} FROM ${grantee}`);
    await client.query(`REVOKE ALL ON ALL ROUTINES IN SCHEMA ${quotedSchema} FROM ${grantee}`);
  }
  return changes;
}
