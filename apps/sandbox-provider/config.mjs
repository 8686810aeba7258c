/**
 * Reads the sandbox provider's configuration from environment variables.
 * Every value has a development default so `node apps/sandbox-provider/main.mjs` just works.
 */

const DAY = 24 * 60 * 60;

export const DEFAULT_CLIENTS = Object.freeze([
  {
    client_id: 'demo-client',
    client_secret: 'demo-secret',
    redirect_uris: ['http://127.0.0.1:3000/oauth/callback'],
    token_endpoint_auth_method: 'client_secret_basic',
  },
]);

export const CLIENT_AUTH_METHODS = Object.freeze(['client_secret_basic', 'client_secret_post']);

export class ConfigError extends Error {}

function parseJson(name, raw) {
  try {
    return JSON.parse(raw);
  } catch (err) {
    throw new ConfigError(`${name} is not valid JSON: ${err.message}`);
  }
}

function positiveInt(env, name, fallback) {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    throw new ConfigError(`${name} must be a positive integer (seconds), got ${JSON.stringify(raw)}`);
  }
  return value;
}

function port(env) {
  const raw = env.SANDBOX_PORT;
  if (raw === undefined || raw === '') return 4000;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw new ConfigError(`SANDBOX_PORT must be an integer between 0 and 65535, got ${JSON.stringify(raw)}`);
  }
  return value;
}

function clients(env) {
  if (env.SANDBOX_CLIENTS === undefined || env.SANDBOX_CLIENTS === '') {
    return DEFAULT_CLIENTS.map((client) => ({ ...client }));
  }
  const parsed = parseJson('SANDBOX_CLIENTS', env.SANDBOX_CLIENTS);
  if (!Array.isArray(parsed) || parsed.length === 0) {
    throw new ConfigError('SANDBOX_CLIENTS must be a non-empty JSON array of clients');
  }
  const seen = new Set();
  return parsed.map((client, index) => {
    const where = `SANDBOX_CLIENTS[${index}]`;
    if (!client || typeof client !== 'object') throw new ConfigError(`${where} must be an object`);
    const {
      client_id: clientId, client_secret: clientSecret, redirect_uris: redirectUris,
      token_endpoint_auth_method: authMethod = 'client_secret_basic',
    } = client;
    if (typeof clientId !== 'string' || !clientId) throw new ConfigError(`${where}.client_id must be a non-empty string`);
    if (seen.has(clientId)) throw new ConfigError(`${where}.client_id ${JSON.stringify(clientId)} is duplicated`);
    seen.add(clientId);
    if (typeof clientSecret !== 'string' || !clientSecret) throw new ConfigError(`${where}.client_secret must be a non-empty string`);
    if (!Array.isArray(redirectUris) || redirectUris.length === 0 || !redirectUris.every((uri) => typeof uri === 'string')) {
      throw new ConfigError(`${where}.redirect_uris must be a non-empty array of URLs`);
    }
    if (!CLIENT_AUTH_METHODS.includes(authMethod)) {
      throw new ConfigError(`${where}.token_endpoint_auth_method must be one of ${CLIENT_AUTH_METHODS.join(', ')}`);
    }
    return {
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: [...redirectUris],
      token_endpoint_auth_method: authMethod,
    };
  });
}

/**
 * SANDBOX_USERS: JSON array of {username, password, name?, email?}. Listed users must use their
 * own password; any other username logs in with the password `password`.
 */
function users(env) {
  if (env.SANDBOX_USERS === undefined || env.SANDBOX_USERS === '') return new Map();
  const parsed = parseJson('SANDBOX_USERS', env.SANDBOX_USERS);
  if (!Array.isArray(parsed)) throw new ConfigError('SANDBOX_USERS must be a JSON array of users');
  const map = new Map();
  parsed.forEach((user, index) => {
    const where = `SANDBOX_USERS[${index}]`;
    if (!user || typeof user !== 'object') throw new ConfigError(`${where} must be an object`);
    if (typeof user.username !== 'string' || !user.username) throw new ConfigError(`${where}.username must be a non-empty string`);
    if (typeof user.password !== 'string' || !user.password) throw new ConfigError(`${where}.password must be a non-empty string`);
    map.set(user.username, {
      username: user.username,
      password: user.password,
      name: typeof user.name === 'string' ? user.name : undefined,
      email: typeof user.email === 'string' ? user.email : undefined,
    });
  });
  return map;
}

/**
 * SANDBOX_BASE_PATH: serve everything under this path, which becomes part of the issuer, like a
 * realm (`/realms/acme`) or a tenant (`/acme/v2.0`) of a multi-tenant authorization server.
 */
function basePath(env) {
  const raw = env.SANDBOX_BASE_PATH;
  if (raw === undefined || raw === '') return '';
  if (!/^(\/[A-Za-z0-9._~-]+)+$/.test(raw)) {
    throw new ConfigError(`SANDBOX_BASE_PATH must be a path such as /realms/acme (no trailing slash, query or encoded characters), got ${JSON.stringify(raw)}`);
  }
  return raw;
}

function origin(env, host, listenPort) {
  const raw = env.SANDBOX_ISSUER;
  if (raw === undefined || raw === '') {
    const hostPart = host.includes(':') ? `[${host}]` : host;
    return `http://${hostPart}:${listenPort}`;
  }
  let url;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`SANDBOX_ISSUER must be an absolute URL, got ${JSON.stringify(raw)}`);
  }
  if (url.pathname !== '/' || url.search || url.hash) {
    throw new ConfigError('SANDBOX_ISSUER must be an origin without path, query or fragment (e.g. http://sandbox-provider:4000)');
  }
  return url.origin;
}

/**
 * SANDBOX_DATABASE_URL: keep grants, tokens and keys in PostgreSQL (schema SANDBOX_DATABASE_SCHEMA,
 * default sandbox_provider) instead of memory.
 */
function database(env) {
  const raw = env.SANDBOX_DATABASE_URL;
  if (raw === undefined || raw === '') return undefined;
  let url;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('SANDBOX_DATABASE_URL must be a postgres:// URL');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError(`SANDBOX_DATABASE_URL must be a postgres:// URL, got the scheme ${JSON.stringify(url.protocol)}`);
  }
  const schema = env.SANDBOX_DATABASE_SCHEMA || 'sandbox_provider';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new ConfigError(`SANDBOX_DATABASE_SCHEMA must be a lower-case SQL identifier, got ${JSON.stringify(schema)}`);
  }
  return { url: raw, schema };
}

/**
 * Returns everything but the issuer, which may depend on the port actually bound
 * (SANDBOX_PORT=0 asks the OS for a free port); the issuer is the origin plus SANDBOX_BASE_PATH.
 */
export function loadConfig(env = process.env) {
  const host = env.SANDBOX_HOST || '127.0.0.1';
  const path = basePath(env);
  return {
    host,
    port: port(env),
    basePath: path,
    clients: clients(env),
    users: users(env),
    accessTokenTtl: positiveInt(env, 'SANDBOX_ACCESS_TOKEN_TTL', 3600),
    refreshTokenTtl: positiveInt(env, 'SANDBOX_REFRESH_TOKEN_TTL', 14 * DAY),
    codeTtl: positiveInt(env, 'SANDBOX_CODE_TTL', 60),
    control: env.SANDBOX_CONTROL !== '0' && env.SANDBOX_CONTROL !== 'false',
    omitExpiresIn: env.SANDBOX_OMIT_EXPIRES_IN === '1' || env.SANDBOX_OMIT_EXPIRES_IN === 'true',
    clientIdMetadataDocuments: env.SANDBOX_CLIENT_ID_METADATA_DOCUMENTS === '1' || env.SANDBOX_CLIENT_ID_METADATA_DOCUMENTS === 'true',
    registrationManagement: env.SANDBOX_REGISTRATION_MANAGEMENT !== '0' && env.SANDBOX_REGISTRATION_MANAGEMENT !== 'false',
    registeredSecretTtl: env.SANDBOX_REGISTERED_SECRET_TTL ? positiveInt(env, 'SANDBOX_REGISTERED_SECRET_TTL', 0) : undefined,
    database: database(env),
    resolveIssuer: (listenPort) => `${origin(env, host, listenPort)}${path}`,
  };
}
