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
});
