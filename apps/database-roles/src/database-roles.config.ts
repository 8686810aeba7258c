import { checkRolePassword, checkRolePrefix, DATABASE_SERVICES, DatabaseService, DEFAULT_ROLE_PREFIX, fromEnv, loadConfig, servicePasswordVariable } from '@cb/platform';
import type { ConfigReader } from '@cb/platform';

export interface DatabaseRolesConfig {
  /** DATABASE_ADMIN_URL: the services' database, as a role that may create roles and schemas. */
  adminUrl: string;
  /** DATABASE_ROLE_PREFIX: roles are named `<prefix><schema>`, e.g. cb_gateway. */
  prefix: string;
  /** `<SCHEMA>_DATABASE_PASSWORD` of each service, e.g. GATEWAY_DATABASE_PASSWORD. */
  passwords: Record<DatabaseService, string>;
}

/** Every problem at once, each naming its variable; a password's value is never shown. */
export function loadDatabaseRolesConfig(env: NodeJS.ProcessEnv = process.env): DatabaseRolesConfig {
  const passwordReaders = Object.fromEntries(DATABASE_SERVICES.map((service) => [service, fromEnv.parsed(servicePasswordVariable(service), checkRolePassword)])) as Record<DatabaseService, ConfigReader<string>>;
  const { adminUrl, prefix, ...passwords } = loadConfig(
    {
      adminUrl: fromEnv.url('DATABASE_ADMIN_URL', ['postgres:', 'postgresql:']),
      prefix: fromEnv.parsed('DATABASE_ROLE_PREFIX', checkRolePrefix, DEFAULT_ROLE_PREFIX),
      ...passwordReaders,
    },
    env,
  );
  return { adminUrl, prefix, passwords };
}
