/**
 * docker-compose.yml must satisfy the official Compose Specification schema.
 * test/fixtures/compose-spec.json is schema/compose-spec.json of github.com/compose-spec/compose-spec
 * (snapshot 170098b, schema last changed in a08f8d5, 2025-10-28), a draft-07 JSON schema.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { DATABASE_SERVICES, servicePasswordVariable, serviceRole } from '@cb/platform';
import { loadDatabaseRolesConfig } from '../../apps/database-roles/src/database-roles.config';
import { loadConnectorConfigConfig } from '../../apps/connector-config/src/connector-config.config';
import { loadGatewayConfig } from '../../apps/gateway/src/gateway.config';
import { loadOAuthAuthorizationConfig } from '../../apps/oauth-authorization/src/oauth-authorization.config';
import { loadTokenIssuanceConfig } from '../../apps/token-issuance/src/token-issuance.config';
import { loadTokenRefreshConfig } from '../../apps/token-refresh/src/token-refresh.config';
import { serviceMemoryEnv } from '../../scripts/service-memory.cjs';

const ROOT = join(__dirname, '../..');
const APPS = { gateway: 3000, 'connector-config': 3001, 'oauth-authorization': 3002, 'token-issuance': 3003, 'token-refresh': 3004 };

type Compose = Record<string, unknown> & { services: Record<string, Record<string, unknown>> };

/** What `docker compose up` would pass, with the operator's required variables set. */
const OPERATOR: Record<string, string> = {
  VAULT_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
  INTERNAL_API_TOKEN: 'compose-test-internal-api-token-0123',
  POSTGRES_PASSWORD: 'compose-test-admin-password-0123',
  ...Object.fromEntries(DATABASE_SERVICES.map((service) => [servicePasswordVariable(service), `compose-test-${service}-password`])),
};

function interpolated(environment: unknown): Record<string, string> {
  const interpolate = (value: string): string => value.replace(/\$\{([A-Z_]+)(?::[-?]([^}]*))?\}/g, (_, name: string, fallback?: string) => OPERATOR[name] ?? fallback ?? '');
  return Object.fromEntries(Object.entries((environment ?? {}) as Record<string, string>).map(([name, value]) => [name, interpolate(String(value))]));
}

function loadCompose(): Compose {
  // Compose resolves YAML merge keys (<<), so the validator must too.
  return parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as Compose;
}

function compileSchema(): ValidateFunction {
  const schema = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/compose-spec.json'), 'utf8')) as Record<string, unknown>;
  // Its $schema is "https://json-schema.org/draft-07/schema", a spelling Ajv does not register;
  // without it Ajv applies draft-07, its default. strict: false allows annotations such as "deprecated".
  delete schema.$schema;
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.compile(schema);
}

describe('docker-compose.yml', () => {
  const validate = compileSchema();

  it('satisfies the Compose Specification schema', () => {
    const valid = validate(loadCompose());
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('the schema rejects an unknown top-level key', () => {
    expect(validate({ ...loadCompose(), servicez: {} })).toBe(false);
  });

  it('the schema rejects a wrong type', () => {
    const compose = loadCompose();
    compose.services.gateway = { ...compose.services.gateway, ports: 3000 };
    expect(validate(compose)).toBe(false);
    expect(validate.errors?.some((e) => e.instancePath === '/services/gateway/ports')).toBe(true);
  });

  it('builds each app from the root Dockerfile with its APP and port, after healthy infrastructure', () => {
    const { services } = loadCompose();
    expect(Object.keys(services).sort()).toEqual([...Object.keys(APPS), 'database-roles', 'kafka', 'postgres', 'sandbox-provider'].sort());
    expect(services.kafka?.image).toBe('apache/kafka:3.9.1');
    expect(services.postgres?.image).toBe('postgres:15');
    for (const [app, port] of Object.entries(APPS)) {
      const service = services[app];
      expect(service).toMatchObject({
        build: { context: '.', args: { APP: app } },
        environment: { PORT: String(port), DATABASE_URL: expect.any(String), KAFKA_BROKERS: 'kafka:9092' },
        depends_on: { kafka: { condition: 'service_healthy' }, postgres: { condition: 'service_healthy' }, 'database-roles': { condition: 'service_completed_successfully' } },
        healthcheck: { test: expect.any(Array) },
      });
      expect(service?.command).toEqual(['node', `dist/apps/${app}/src/main.js`]);
    }
    expect(services['sandbox-provider']).toMatchObject({
      build: { args: { APP: 'sandbox-provider' } },
      command: ['node', 'apps/sandbox-provider/main.mjs'],
    });
  });

  it('publishes only the gateway, and the sandbox provider in the development profile; the rest listens on a network with no route out', () => {
    const compose = loadCompose();
    const published = Object.entries(compose.services).filter(([, service]) => service.ports !== undefined);
    expect(Object.fromEntries(published.map(([name, service]) => [name, service.ports]))).toEqual({ gateway: ['3000:3000'], 'sandbox-provider': ['127.0.0.1:4000:4000'] });
    expect(compose.services['sandbox-provider']?.profiles).toEqual(['development']);
    expect(Object.fromEntries(Object.entries(compose.services).map(([name, service]) => [name, service.networks]))).toEqual({
      kafka: ['internal'],
      postgres: ['internal'],
      'database-roles': ['internal'],
      gateway: ['internal', 'edge'],
      'connector-config': ['internal'],
      'oauth-authorization': ['internal'],
      'token-issuance': ['internal', 'egress'],
      'token-refresh': ['internal'],
      'sandbox-provider': ['egress'],
    });
    expect(compose.networks).toMatchObject({ internal: { internal: true } });
    for (const service of Object.values(compose.services)) expect(service.expose).toBeUndefined();
  });

  it('gives VAULT_KEYS only to the services that seal or open secrets', () => {
    const { services } = loadCompose();
    const holders = Object.entries(services).filter(([, service]) => 'VAULT_KEYS' in ((service.environment ?? {}) as Record<string, string>));
    expect(holders.map(([name]) => name).sort()).toEqual(['connector-config', 'oauth-authorization', 'token-issuance']);
  });

  it('starts each app with the memory settings every other launcher gives it (scripts/service-memory.cjs)', () => {
    const { services } = loadCompose();
    for (const app of Object.keys(APPS)) {
      const environment = interpolated(services[app]?.environment);
      expect({ app, NODE_OPTIONS: environment.NODE_OPTIONS, MALLOC_ARENA_MAX: environment.MALLOC_ARENA_MAX }).toEqual({ app, ...serviceMemoryEnv(app, {}) });
    }
  });

  it("gives every app the environment its own configuration loader requires", () => {
    const { services } = loadCompose();
    const loaders: Record<keyof typeof APPS, (env: NodeJS.ProcessEnv) => unknown> = {
      gateway: loadGatewayConfig,
      'connector-config': loadConnectorConfigConfig,
      'oauth-authorization': loadOAuthAuthorizationConfig,
      'token-issuance': loadTokenIssuanceConfig,
      'token-refresh': loadTokenRefreshConfig,
    };
    for (const [app, load] of Object.entries(loaders)) expect(() => load(interpolated(services[app]?.environment))).not.toThrow();
    expect(() => loadDatabaseRolesConfig(interpolated(services['database-roles']?.environment))).not.toThrow();
  });

  it("connects each app as its own database role with its own password; only postgres and database-roles get the admin's", () => {
    const { services } = loadCompose();
    for (const service of DATABASE_SERVICES) {
      const environment = interpolated(services[service]?.environment);
      const url = new URL(environment.DATABASE_URL ?? '');
      expect({ service, user: url.username, password: url.password, host: url.host, database: url.pathname }).toEqual({
        service,
        user: serviceRole(service),
        password: OPERATOR[servicePasswordVariable(service)],
        host: 'postgres:5432',
        database: '/credential_broker',
      });
    }
    const holders = (secret: string): string[] =>
      Object.entries(services)
        .filter(([, service]) => JSON.stringify(service.environment ?? {}).includes(secret))
        .map(([name]) => name)
        .sort();
    expect(holders('POSTGRES_PASSWORD')).toEqual(['database-roles', 'postgres']);
    for (const service of DATABASE_SERVICES) expect(holders(servicePasswordVariable(service))).toEqual(['database-roles', service].sort());
    expect(services['database-roles']).toMatchObject({
      build: { args: { APP: 'database-roles' } },
      command: ['node', 'dist/apps/database-roles/src/main.js'],
      depends_on: { postgres: { condition: 'service_healthy' } },
    });
    expect(loadDatabaseRolesConfig(interpolated(services['database-roles']?.environment))).toMatchObject({ adminUrl: `postgres://postgres:${OPERATOR.POSTGRES_PASSWORD}@postgres:5432/credential_broker`, prefix: 'cb_' });
  });
});
