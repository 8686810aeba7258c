import { provisionServiceDatabase } from '@cb/platform';
import { loadDatabaseRolesConfig } from './database-roles.config';

/**
 * The provisioning step that runs before the services, with an admin connection: one login role
 * per service owning that service's schema and reaching no other (`provisionServiceDatabase`).
 * Idempotent. Prints `{ database, roles: [{ service, role, schema, changes }] }` as JSON, never a
 * password.
 */
async function main(): Promise<void> {
  const config = loadDatabaseRolesConfig();
  const provisioned = await provisionServiceDatabase(config);
  process.stdout.write(`${JSON.stringify(provisioned)}\n`);
}

main().catch((error: Error) => {
  process.stderr.write(`database-roles failed: ${error.message}\n`);
  process.exit(1);
});
