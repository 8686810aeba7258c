/** A reader takes one variable from the environment and says exactly what is wrong with it. */
export type ConfigReader<T> = (env: NodeJS.ProcessEnv) => T;

export class ConfigError extends Error {
  readonly code = 'invalid_configuration';
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

class VariableProblem extends Error {}

function raw(env: NodeJS.ProcessEnv, name: string, fallback: string | undefined): string {
  const value = env[name]?.trim();
  if (value) return value;
  if (fallback !== undefined) return fallback;
  throw new VariableProblem(`${name} is required but not set`);
}

export const fromEnv = {
  string: (name: string, fallback?: string): ConfigReader<string> => (env) => raw(env, name, fallback),

  integer:
    (name: string, fallback?: number, range: { min?: number; max?: number } = {}): ConfigReader<number> =>
    (env) => {
      const text = raw(env, name, fallback?.toString());
      const value = Number(text);
      if (!Number.isInteger(value)) throw new VariableProblem(`${name} must be an integer, got "${text}"`);
      if (range.min !== undefined && value < range.min) throw new VariableProblem(`${name} must be >= ${range.min}`);
      if (range.max !== undefined && value > range.max) throw new VariableProblem(`${name} must be <= ${range.max}`);
      return value;
    },

  oneOf:
    <T extends string>(name: string, values: readonly T[], fallback?: T): ConfigReader<T> =>
    (env) => {
      const text = raw(env, name, fallback);
      if (!values.includes(text as T)) throw new VariableProblem(`${name} must be one of ${values.join(', ')}, got "${text}"`);
      return text as T;
    },

  url:
    (name: string, protocols: string[], fallback?: string): ConfigReader<string> =>
    (env) => {
      const text = raw(env, name, fallback);
      let parsed: URL;
      try {
        parsed = new URL(text);
      } catch {
        throw new VariableProblem(`${name} must be a URL`);
      }
      if (!protocols.includes(parsed.protocol)) throw new VariableProblem(`${name} must use ${protocols.join(' or ')}`);
      return text;
    },

  /** A comma-separated `host:port` list. */
  brokers:
    (name: string, fallback?: string): ConfigReader<string[]> =>
    (env) => {
      const list = raw(env, name, fallback).split(',').map((s) => s.trim()).filter(Boolean);
      const bad = list.find((b) => !/^[^:\s]+:\d{1,5}$/.test(b));
      if (bad !== undefined || list.length === 0) throw new VariableProblem(`${name} must be a comma-separated list of host:port`);
      return list;
    },

  /** Any other shape: `parse` throws to reject, and its message is reported after the variable's name. */
  parsed:
    <T>(name: string, parse: (text: string) => T, fallback?: string): ConfigReader<T> =>
    (env) => {
      const text = raw(env, name, fallback);
      try {
        return parse(text);
      } catch (error) {
        throw new VariableProblem(`${name}: ${(error as Error).message}`);
      }
    },

  optional:
    <T>(name: string, reader: ConfigReader<T>): ConfigReader<T | undefined> =>
    (env) => (env[name]?.trim() ? reader(env) : undefined),
};

/** Reads every variable, then fails once with the full list of problems, each naming its variable. */
export function loadConfig<T extends object>(
  readers: { [K in keyof T]: ConfigReader<T[K]> },
  env: NodeJS.ProcessEnv = process.env,
): T {
  const problems: string[] = [];
  const config = {} as T;
  for (const key of Object.keys(readers) as (keyof T)[]) {
    try {
      config[key] = readers[key](env);
    } catch (error) {
      if (!(error instanceof VariableProblem)) throw error;
      problems.push(error.message);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
