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

const ROOT = join(__dirname, '../..');
const APPS = { gateway: 3000, 'connector-config': 3001, 'oauth-authorization': 3002, 'token-issuance': 3003, 'token-refresh': 3004 };

type Compose = Record<string, unknown> & { services: Record<string, Record<string, unknown>> };

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
    expect(Object.keys(services).sort()).toEqual([...Object.keys(APPS), 'kafka', 'postgres', 'sandbox-provider'].sort());
    expect(services.kafka?.image).toBe('apache/kafka:3.9.1');
    expect(services.postgres?.image).toBe('postgres:15');
    for (const [app, port] of Object.entries(APPS)) {
      const service = services[app];
      expect(service).toMatchObject({
        build: { context: '.', args: { APP: app } },
        ports: [`${port}:${port}`],
        environment: { PORT: String(port), DATABASE_URL: expect.any(String), KAFKA_BROKERS: 'kafka:9092', VAULT_KEYS: expect.any(String) },
        depends_on: { kafka: { condition: 'service_healthy' }, postgres: { condition: 'service_healthy' } },
        healthcheck: { test: expect.any(Array) },
      });
      expect(service?.command).toEqual(['node', `dist/apps/${app}/src/main.js`]);
    }
    expect(services['sandbox-provider']).toMatchObject({
      build: { args: { APP: 'sandbox-provider' } },
      command: ['node', 'apps/sandbox-provider/main.mjs'],
      ports: ['4000:4000'],
    });
  });
});
