/**
 * The services' own database roles for a test run: made once by global setup (with a prefix of the
 * run's own, so that runs sharing a cluster never change each other's passwords), with a template
 * database in which each role already owns its schema. Every test database is a copy of that
 * template, so each test system connects every service as its role from the first statement on.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
// Not '@cb/platform': global setup runs outside Jest's module mapping, and needs only this file.
import { DATABASE_SERVICES, type DatabaseService, generateRolePassword, provisionServiceDatabase, serviceDatabaseUrl, serviceRole } from '../../libs/platform/src/database/service-roles';

export interface DatabaseRoles {
  prefix: string;
  passwords: Record<DatabaseService, string>;
}

export interface HarnessRoles extends DatabaseRoles {
  /** The database every test database is copied from. */
  template: string;
}

const ENV_KEY = 'HARNESS_DATABASE_ROLES';

/** Fresh roles: `cb_t<hex>_<schema>`, each with a random password. */
export function newDatabaseRoles(): DatabaseRoles {
  return {
    prefix: `cb_t${randomBytes(3).toString('hex')}_`,
    passwords: Object.fromEntries(DATABASE_SERVICES.map((service) => [service, generateRolePassword()])) as Record<DatabaseService, string>,
  };
}

/** The URL of each service: the database of `databaseUrl`, as the service's role. */
export function serviceDatabaseUrls(databaseUrl: string, roles: DatabaseRoles): Record<DatabaseService, string> {
  return Object.fromEntries(DATABASE_SERVICES.map((service) => [service, serviceDatabaseUrl(databaseUrl, serviceRole(service, roles.prefix), roles.passwords[service])])) as Record<DatabaseService, string>;
}

/** Creates the roles and, in `adminUrl`'s database, their schemas: what the project's provisioning step does. */
export async function provisionDatabaseRoles(adminUrl: string, roles: DatabaseRoles): Promise<Record<DatabaseService, string>> {
  await provisionServiceDatabase({ adminUrl, prefix: roles.prefix, passwords: roles.passwords });
  return serviceDatabaseUrls(adminUrl, roles);
}

async function withAdmin<T>(adminUrl: string, use: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/** Global setup: the run's roles and its template database, which accepts no connections once made. */
export async function provisionHarnessRoles(adminUrl: string): Promise<HarnessRoles> {
  const roles = newDatabaseRoles();
  const template = `${roles.prefix}template`;
  await withAdmin(adminUrl, (c) => c.query(`CREATE DATABASE ${template}`));
  const url = new URL(adminUrl);
  url.pathname = `/${template}`;
  await provisionDatabaseRoles(url.toString(), roles);
  await withAdmin(adminUrl, (c) => c.query(`ALTER DATABASE ${template} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`));
  const harness = { ...roles, template };
  process.env[ENV_KEY] = JSON.stringify(harness);
  return harness;
}

/** Global teardown on a cluster the run did not start: its template and roles go (test databases are dropped by their tests). */
export async function removeHarnessRoles(adminUrl: string, harness: HarnessRoles): Promise<void> {
  await withAdmin(adminUrl, async (c) => {
    await c.query(`ALTER DATABASE ${harness.template} WITH IS_TEMPLATE false`);
    await c.query(`DROP DATABASE IF EXISTS ${harness.template} WITH (FORCE)`);
    for (const service of DATABASE_SERVICES) await c.query(`DROP ROLE IF EXISTS ${serviceRole(service, harness.prefix)}`);
  });
}

/** In a test worker: the run's roles, as global setup made them. */
export function harnessRoles(): HarnessRoles {
  const text = process.env[ENV_KEY];
  if (!text) throw new Error(`${ENV_KEY} is not set: run integration tests with \`jest --selectProjects integration\``);
  return JSON.parse(text) as HarnessRoles;
}
