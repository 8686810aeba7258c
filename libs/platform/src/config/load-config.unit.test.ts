import { ConfigError, fromEnv, loadConfig } from './load-config';
import { loadServiceConfig } from './service-config';

describe('loadConfig', () => {
  it('names every missing or malformed variable at once', () => {
    const attempt = () =>
      loadConfig({ port: fromEnv.integer('PORT'), brokers: fromEnv.brokers('KAFKA_BROKERS'), mode: fromEnv.oneOf('RUN_MODE', ['a', 'b'] as const) }, { PORT: 'abc', RUN_MODE: 'c' });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      expect((error as ConfigError).problems).toEqual([
        'PORT must be an integer, got "abc"',
        'KAFKA_BROKERS is required but not set',
        'RUN_MODE must be one of a, b, got "c"',
      ]);
    }
  });

  it('applies defaults and parses broker lists', () => {
    const config = loadConfig({ port: fromEnv.integer('PORT', 3000), brokers: fromEnv.brokers('KAFKA_BROKERS') }, { KAFKA_BROKERS: '127.0.0.1:9092, 127.0.0.1:9093' });
    expect(config).toEqual({ port: 3000, brokers: ['127.0.0.1:9092', '127.0.0.1:9093'] });
  });

  it('rejects a malformed vault key without echoing it', () => {
    expect(() =>
      loadServiceConfig('svc', 1, {}, { DATABASE_URL: 'postgres://x@127.0.0.1/db', KAFKA_BROKERS: '127.0.0.1:1', VAULT_KEYS: 'k1:dG9vLXNob3J0' }),
    ).toThrow(/32 bytes/);
  });

  it('reads METRICS_TOKEN as optional, and refuses a short one without echoing it', () => {
    const env = { DATABASE_URL: 'postgres://x@127.0.0.1/db', KAFKA_BROKERS: '127.0.0.1:1' };
    const options = { keyring: false };
    expect(loadServiceConfig('svc', 1, {}, env, options).metricsToken).toBeUndefined();
    expect(loadServiceConfig('svc', 1, {}, { ...env, METRICS_TOKEN: '  ' }, options).metricsToken).toBeUndefined();
    const token = 'm'.repeat(32);
    expect(loadServiceConfig('svc', 1, {}, { ...env, METRICS_TOKEN: token }, options).metricsToken).toBe(token);
    let problems: string[] = [];
    try {
      loadServiceConfig('svc', 1, {}, { ...env, METRICS_TOKEN: 'short-metrics-token' }, options);
    } catch (error) {
      problems = (error as ConfigError).problems;
    }
    expect(problems).toEqual([expect.stringMatching(/^METRICS_TOKEN: must be at least 32 characters long/)]);
    expect(problems.join('')).not.toContain('short-metrics-token');
  });
});
