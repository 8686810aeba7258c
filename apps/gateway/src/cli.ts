import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { fromEnv, loadConfig, openServiceDatabase } from '@cb/platform';
import { ENTITIES, SCHEMA } from './gateway.module';
import { MIGRATIONS } from './migrations';
import { createWorkspaceWithAdminKey } from './workspaces/create-workspace';

const USAGE = 'usage: npm run cli -- create-workspace --name "Acme" [--operator]   (needs the gateway\'s DATABASE_URL)';

/**
 * Operator commands. `create-workspace` migrates, creates a workspace and prints its first admin key
 * once; with `--operator` that key also holds the `operator` scope, which manages every workspace
 * and its keys through `/v1/workspaces`.
 */
async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command !== 'create-workspace') throw new Error(USAGE);
  const { values } = parseArgs({ args: rest, options: { name: { type: 'string' }, operator: { type: 'boolean' } }, strict: true });
  const name = values.name?.trim();
  if (!name || name.length > 200) throw new Error(`--name is required (1 to 200 characters)\n${USAGE}`);

  const { databaseUrl } = loadConfig({ databaseUrl: fromEnv.url('DATABASE_URL', ['postgres:', 'postgresql:']) });
  // Two connections: migrateSchema holds one for its advisory lock while the migrations run on another.
  const dataSource = await openServiceDatabase({ url: databaseUrl, schema: SCHEMA, applicationName: 'gateway-cli', entities: ENTITIES, migrations: MIGRATIONS, poolSize: 2 });
  try {
    const { workspaceId, apiKey } = await createWorkspaceWithAdminKey(dataSource, name, { operator: values.operator === true });
    process.stdout.write(`${JSON.stringify({ workspaceId, apiKey })}\n`);
  } finally {
    await dataSource.destroy();
  }
}

main(process.argv.slice(2)).catch((error: Error) => {
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
});
