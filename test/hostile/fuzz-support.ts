/**
 * Request generation for the REST fuzzer: bodies from the OpenAPI schemas, then mutated (wrong
 * types, huge strings, deep nesting, unknown and prototype fields, control characters, bad UTF-8),
 * hostile path ids and query strings. Everything is drawn from a seeded PRNG.
 */
import { request } from 'node:http';
import type { OpenApiDocument } from './hostile-support';

export type Rng = () => number;

export const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)] as T;
const chance = (rng: Rng, p: number): boolean => rng() < p;

const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\u202e\u0645\u0631\u062d\u0628\u0627',
  '\ud800',
  '\udfff\ud800',
  '😀'.repeat(50),
  '\u200b\ufeff',
  "' OR '1'='1' --",
  '"; DROP TABLE connectors; --',
  '<script>alert(1)</script>',
  '${jndi:ldap://x}',
  '{{7*7}}',
  '../../../../etc/passwd',
  '%00%2e%2e%2f',
  'true',
  '-1',
  '1e309',
  '__proto__',
  'constructor',
  '\r\nX-Injected: 1',
  'http://127.0.0.1:1/',
  'javascript:alert(1)',
];

export function randomString(rng: Rng): string {
  switch (Math.floor(rng() * 6)) {
    case 0:
      return pick(rng, NASTY_STRINGS);
    case 1:
      return 'x'.repeat(pick(rng, [100, 257, 2049, 8193, 30_000]));
    case 2:
      return String.fromCharCode(...Array.from({ length: 1 + Math.floor(rng() * 40) }, () => Math.floor(rng() * 0xffff)));
    default:
      return Array.from({ length: 1 + Math.floor(rng() * 16) }, () => pick(rng, [...'abcdefghijklmnopqrstuvwxyz0123456789-_'])).join('');
  }
}

function randomScalar(rng: Rng): unknown {
  return pick(rng, [0, -1, 1.5, 2 ** 53 + 1, -0, 1e308, true, false, null, randomString(rng), [], {}, [null], { '': '' }]);
}

/** Known-good auth configurations, so that some generated bodies pass validation and go deeper. */
const CONFIGS: Array<() => Record<string, unknown>> = [
  () => ({ mode: 'BEARER', label: 'Token' }),
  () => ({ mode: 'API_KEY', headerName: 'X-Api-Key' }),
  () => ({ mode: 'BASIC' }),
  () => ({ mode: 'CUSTOM', fields: [{ key: 'apiKey', label: 'API key', type: 'password', required: true }] }),
  () => ({
    mode: 'OAUTH2',
    authorizationUrl: 'http://127.0.0.1:9/authorize',
    tokenUrl: 'http://127.0.0.1:9/token',
    clientId: 'fuzz-client',
    clientSecret: 'fuzz-secret',
    scopes: ['read'],
  }),
];

type Schema = Record<string, unknown>;

function resolve(document: OpenApiDocument, schema: Schema): Schema {
  const ref = schema.$ref;
  if (typeof ref !== 'string') return schema;
  return document.components?.schemas?.[ref.replace('#/components/schemas/', '')] ?? {};
}

/** A value that satisfies the schema as far as the document describes it. */
export function generate(document: OpenApiDocument, schemaIn: Schema, rng: Rng, depth = 0): unknown {
  const schema = resolve(document, schemaIn);
  if (Array.isArray(schema.enum)) return pick(rng, schema.enum as unknown[]);
  if (schema.additionalProperties === true && schema.type === 'object') return pick(rng, CONFIGS)();
  switch (schema.type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      const required = (schema.required as string[] | undefined) ?? [];
      for (const [name, property] of Object.entries((schema.properties as Record<string, Schema> | undefined) ?? {})) {
        if (required.includes(name) || chance(rng, 0.5)) out[name] = generate(document, property, rng, depth + 1);
      }
      return out;
    }
    case 'array': {
      const items = (schema.items as Schema | undefined) ?? {};
      return Array.from({ length: Math.floor(rng() * 3) + 1 }, () => generate(document, items, rng, depth + 1));
    }
    case 'string': {
      if (schema.example !== undefined && chance(rng, 0.6)) return `${JSON.stringify(schema.example).replace(/"/g, '')}-${Math.floor(rng() * 1e6)}`.toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 60);
      return Array.from({ length: 8 }, () => pick(rng, [...'abcdefghijklmnopqrstuvwxyz'])).join('');
    }
    case 'number':
    case 'integer':
      return Math.floor(rng() * 10) + 1;
    case 'boolean':
      return chance(rng, 0.5);
    default:
      return randomScalar(rng);
  }
}

function nested(depth: number, asArray: boolean): string {
  return asArray ? `${'['.repeat(depth)}1${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

/** Replaces, adds or breaks one thing in a JSON value. */
export function mutate(value: unknown, rng: Rng): unknown {
  if (value === null || typeof value !== 'object') return chance(rng, 0.5) ? randomScalar(rng) : { value };
  const copy: Record<string, unknown> | unknown[] = Array.isArray(value) ? [...value] : { ...(value as Record<string, unknown>) };
  const keys = Object.keys(copy);
  switch (Math.floor(rng() * 6)) {
    case 0: // wrong type for a member
      if (keys.length) (copy as Record<string, unknown>)[pick(rng, keys)] = randomScalar(rng);
      break;
    case 1: // a nasty or huge string for a member
      if (keys.length) (copy as Record<string, unknown>)[pick(rng, keys)] = randomString(rng);
      break;
    case 2: // unknown fields, prototype pollution
      (copy as Record<string, unknown>)[pick(rng, ['unknown', 'isAdmin', 'workspaceId', 'id', 'status', 'sealedSecrets', 'constructor'])] = randomScalar(rng);
      Object.defineProperty(copy, '__proto__', { value: { polluted: true, isAdmin: true }, enumerable: true, configurable: true, writable: true });
      break;
    case 3: // recurse into a member
      if (keys.length) {
        const key = pick(rng, keys);
        (copy as Record<string, unknown>)[key] = mutate((copy as Record<string, unknown>)[key], rng);
      }
      break;
    case 4: // drop a member
      if (keys.length) delete (copy as Record<string, unknown>)[pick(rng, keys)];
      break;
    default: // the whole body of another shape
      return pick(rng, [[], [value], 'text', 42, null, true]);
  }
  return copy;
}

export interface RawBody {
  bytes: Buffer;
  contentType: string;
  kind: string;
}

/** Bodies that are not a JSON value: bad UTF-8, truncation, deep nesting, other media types. */
export function rawBody(rng: Rng, valid: unknown): RawBody {
  const json = JSON.stringify(valid) ?? '{}';
  switch (Math.floor(rng() * 9)) {
    case 0:
      return { kind: 'bad-utf8', contentType: 'application/json', bytes: Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80, 0xf8, 0x88]), Buffer.from('"}')]) };
    case 1:
      return { kind: 'bad-utf8-bare', contentType: 'application/json', bytes: Buffer.from([0xff, 0xfe, 0xfd, 0x00, 0x7b]) };
    case 2:
      return { kind: 'truncated', contentType: 'application/json', bytes: Buffer.from(json.slice(0, Math.max(1, Math.floor(json.length * rng())))) };
    case 3:
      return { kind: 'deep-nesting', contentType: 'application/json', bytes: Buffer.from(nested(pick(rng, [64, 512, 5000, 20_000]), chance(rng, 0.5))) };
    case 4:
      return { kind: 'oversized', contentType: 'application/json', bytes: Buffer.from(JSON.stringify({ ...(valid as object), name: 'x'.repeat(70 * 1024) })) };
    case 5:
      return { kind: 'form', contentType: 'application/x-www-form-urlencoded', bytes: Buffer.from('name=a&scopes[]=admin&config[mode]=BEARER&__proto__[x]=1') };
    case 6:
      return { kind: 'text', contentType: pick(rng, ['text/plain', 'application/xml', 'multipart/form-data; boundary=x']), bytes: Buffer.from(json) };
    case 7:
      return { kind: 'charset', contentType: pick(rng, ['application/json; charset=utf-16', 'application/json; charset=latin1', 'application/json; charset=bogus']), bytes: Buffer.from(json) };
    default:
      return { kind: 'duplicate-keys', contentType: 'application/json', bytes: Buffer.from(`{"name":"a","name":{"$gt":""},${json.slice(1)}`) };
  }
}

/** Percent-encodes the UTF-8 bytes of a string (lone surrogates become U+FFFD, as on the wire). */
export function percentEncode(text: string): string {
  return [...Buffer.from(text, 'utf8')].map((b) => (/[A-Za-z0-9\-._~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
}

export const HOSTILE_IDS = [
  '..',
  '..%2f..%2finternal%2fv1%2fworkspaces',
  '%2e%2e%2f%2e%2e%2fhealth%2fready',
  '..%252f..%252f',
  '%00',
  'a%00b',
  '00000000-0000-0000-0000-000000000000',
  'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF',
  "1'%20OR%20'1'='1",
  'x'.repeat(5000),
  '%F0%9F%98%80',
  '%ff%fe',
  '%',
  '%zz',
  '{id}',
  '__proto__',
  'constructor',
  '-1',
  '1e9',
];

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  elapsedMs: number;
}

/** A request with the path sent byte for byte (fetch would normalise `..`) and any body bytes. */
export function rawRequest(base: string, method: string, path: string, headers: Record<string, string>, body: Buffer | undefined, timeoutMs: number): Promise<RawAnswer> {
  const url = new URL(base);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, method, path, headers: { ...headers, ...(body ? { 'content-length': String(body.length) } : {}) }, timeout: timeoutMs },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8'), elapsedMs: Date.now() - started }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}
