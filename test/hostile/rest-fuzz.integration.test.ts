/**
 * Fuzzes every operation of the gateway's live OpenAPI document: bodies generated from its schemas
 * and then broken (wrong types, huge strings, deep nesting, unknown and prototype fields, bad UTF-8,
 * other media types), hostile path ids (traversal, encodings, NUL) and junk query strings.
 *
 * Invariants: never a 5xx; an answer within RESPONSE_BOUND_MS; a rejected (4xx) request changes no
 * row of any service schema (row counts and a hash of every table's rows, before and after).
 * FUZZ_SEED and FUZZ_CASES reproduce or widen a run; the seed of every case is printed on failure.
 */
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { RunningSystem, startSystem } from '../support/system';
import { generate, HOSTILE_IDS, mutate, percentEncode, pick, randomString, rawBody, rawRequest, RawAnswer, Rng } from './fuzz-support';
import {
  activeConnector,
  apiKeyConnection,
  changedTables,
  newWorkspace,
  OpenApiDocument,
  openApiOperations,
  OpenApiOperation,
  openSession,
  prng,
  settledSnapshot,
  Snapshot,
  snapshotDatabase,
  Workspace,
} from './hostile-support';

const SEED = Number(process.env.FUZZ_SEED ?? 20261129);
const CASES_PER_OPERATION = Number(process.env.FUZZ_CASES ?? 28);
const RESPONSE_BOUND_MS = 5_000;

interface FuzzCase {
  seed: number;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  kind: string;
}

/** Paths (as member names) of every object inside a JSON value, the value itself first. */
function objectPaths(value: unknown, at: string[] = []): string[][] {
  if (value === null || typeof value !== 'object') return [];
  const inside = Object.entries(value).flatMap(([key, member]) => objectPaths(member, [...at, key]));
  return Array.isArray(value) ? inside : [at, ...inside];
}

/** A copy of `value` with `key` added (as an own member, even `__proto__`) to the object at `at`. */
function withKey(value: unknown, at: string[], key: string): unknown {
  const copy = structuredClone(value) as Record<string, unknown>;
  const target = at.reduce<Record<string, unknown>>((object, member) => object[member] as Record<string, unknown>, copy);
  Object.defineProperty(target, key, { value: 'x', enumerable: true, configurable: true, writable: true });
  return copy;
}

describe('REST fuzzing from the OpenAPI document', () => {
  let system: RunningSystem;
  let workspace: Workspace;
  let operations: OpenApiOperation[];
  let document: OpenApiDocument;
  let db: Client;
  const realIds: Record<string, string[]> = {};
  let sessionToken = '';
  /** A connection the fuzzer never names, read at the end. */
  let keeperConnectionId = '';
  const report = { cases: 0, byStatus: {} as Record<string, number>, byKind: {} as Record<string, number>, slowestMs: 0, accepted: 0 };

  beforeAll(async () => {
    system = await startSystem();
    workspace = await newWorkspace(system, 'Fuzz Co');
    const connectorId = await activeConnector(workspace, 'fuzz-api', { mode: 'API_KEY', headerName: 'X-Fuzz' });
    keeperConnectionId = (await apiKeyConnection(system, workspace, connectorId, 'fuzz-user', 'fuzz-key-value')).connectionId;
    const connection = await apiKeyConnection(system, workspace, connectorId, 'fuzz-victim', 'fuzz-victim-key');
    const pending = await openSession(workspace, { connectorId, endUserId: 'fuzz-pending' });
    sessionToken = pending.sessionToken;
    const draft = await workspace.call<{ id: string }>('POST', '/v1/connectors', { body: { slug: 'fuzz-draft', name: 'Draft', config: { mode: 'BEARER' } } });
    const victim = await workspace.call<{ id: string }>('POST', '/v1/api-keys', { body: { name: 'victim', scopes: ['connect'] } });
    realIds['api-keys'] = [victim.body.id];
    realIds.connectors = [draft.body.id, connectorId];
    realIds['connect-sessions'] = [pending.sessionId];
    realIds.connections = [connection.connectionId];
    ({ operations, document } = await openApiOperations(system.urls.gateway));
    operations = operations.filter((o) => !o.path.startsWith('/docs'));
    db = new Client({ connectionString: system.databaseUrl });
    await db.connect();
  });

  afterAll(async () => {
    process.stdout.write(
      `REST fuzz (seed ${SEED}): ${report.cases} cases over ${operations?.length ?? 0} operations, ${report.accepted} accepted, ` +
        `statuses ${JSON.stringify(report.byStatus)}, slowest ${report.slowestMs} ms\nbodies by kind ${JSON.stringify(report.byKind)}\n`,
    );
    await db?.end();
    await system?.stop();
  });

  const collectionOf = (path: string): string => path.split('/')[2] ?? '';

  function pathId(rng: Rng, path: string): string {
    const own = realIds[collectionOf(path)] ?? [];
    const any = Object.values(realIds).flat();
    switch (Math.floor(rng() * 4)) {
      case 0:
        return pick(rng, HOSTILE_IDS);
      case 1:
        return own.length ? pick(rng, own) : randomUUID();
      case 2:
        return pick(rng, any);
      default:
        return percentEncode(randomString(rng)).slice(0, 3000).replace(/%[0-9A-F]?$/, '') || '%20';
    }
  }

  function query(rng: Rng): string {
    const params = ['limit', 'cursor', 'mode', 'status', 'connectorId', 'endUserId', 'offset', 'state', 'code', 'iss', 'error', '__proto__[x]', 'limit[]'];
    const values = ['-1', '0', '1e9', '101', 'NaN', 'OAUTH2', 'bogus', randomUUID(), '%00', '%ff', 'x'.repeat(3000), "'--", '[]', '{}'];
    const count = Math.floor(rng() * 4);
    const parts = Array.from({ length: count }, () => `${percentEncode(pick(rng, params))}=${pick(rng, values).replace(/[^A-Za-z0-9%\-._~'[\]{}]/g, (c) => percentEncode(c))}`);
    return parts.length ? `?${parts.join('&')}` : '';
  }

  function buildCase(operation: OpenApiOperation, seed: number): FuzzCase {
    const rng = prng(seed);
    const path = operation.path.replace('{id}', () => pathId(rng, operation.path)) + (operation.method === 'GET' || rng() < 0.2 ? query(rng) : '');
    const headers: Record<string, string> = { authorization: `Bearer ${workspace.apiKey}` };
    if (operation.path.startsWith('/v1/connect/')) {
      headers.authorization = `Bearer ${rng() < 0.7 ? sessionToken : pick(rng, ['cbs_x', randomString(rng).replace(/[^\x21-\x7e]/g, 'x') || 'x'])}`;
    }
    if (operation.path === '/oauth/callback') delete headers.authorization;
    if (operation.method === 'GET' || operation.method === 'DELETE') {
      return { seed, method: operation.method, path, headers, kind: 'no-body', ...(rng() < 0.1 ? { body: Buffer.from('{"x":1}'), kind: 'unexpected-body' } : {}) };
    }
    const valid = operation.requestSchema ? generate(document, operation.requestSchema, rng) : pick(rng, [{}, { includeRefreshToken: true }, { apiKey: 'k' }, { name: 'x' }]);
    if (rng() < 0.35) {
      const raw = rawBody(rng, valid);
      return { seed, method: operation.method, path, headers: { ...headers, 'content-type': raw.contentType }, body: raw.bytes, kind: raw.kind };
    }
    let value: unknown = valid;
    const mutations = rng() < 0.15 ? 0 : 1 + Math.floor(rng() * 3);
    for (let i = 0; i < mutations; i++) value = mutate(value, rng);
    return { seed, method: operation.method, path, headers: { ...headers, 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(value) ?? 'null'), kind: mutations ? 'mutated' : 'generated' };
  }

  it(`answers every fuzzed request below 500 within ${RESPONSE_BOUND_MS} ms, and a rejected one changes nothing`, async () => {
    const failures: string[] = [];
    let baseline: Snapshot = await settledSnapshot(db);
    for (const [index, operation] of operations.entries()) {
      for (let n = 0; n < CASES_PER_OPERATION; n++) {
        const fuzz = buildCase(operation, SEED + index * 10_000 + n);
        const label = `seed ${fuzz.seed} ${fuzz.method} ${fuzz.path.slice(0, 120)} [${fuzz.kind}]`;
        let answer: RawAnswer;
        try {
          answer = await rawRequest(system.urls.gateway, fuzz.method, fuzz.path, fuzz.headers, fuzz.body, RESPONSE_BOUND_MS * 2);
        } catch (error) {
          failures.push(`${label}: ${(error as Error).message}`);
          continue;
        }
        report.cases += 1;
        report.byStatus[answer.status] = (report.byStatus[answer.status] ?? 0) + 1;
        report.byKind[fuzz.kind] = (report.byKind[fuzz.kind] ?? 0) + 1;
        report.slowestMs = Math.max(report.slowestMs, answer.elapsedMs);
        if (answer.status >= 500) failures.push(`${label}: ${answer.status} ${answer.text.slice(0, 200)}`);
        if (answer.elapsedMs > RESPONSE_BOUND_MS) failures.push(`${label}: answered after ${answer.elapsedMs} ms`);
        if (answer.status >= 400 && answer.status < 500) {
          const changed = changedTables(baseline, await snapshotDatabase(db));
          if (changed.length > 0) {
            failures.push(`${label}: rejected with ${answer.status} but changed ${changed.join(', ')}`);
            baseline = await settledSnapshot(db);
          }
        } else {
          report.accepted += 1;
          baseline = fuzz.method === 'GET' ? await snapshotDatabase(db) : await settledSnapshot(db, 800);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(report.cases).toBeGreaterThanOrEqual(operations.length * CASES_PER_OPERATION);
  });

  it('refuses __proto__, constructor and prototype keys at every depth of every body with 400 naming the path, changing nothing', async () => {
    const failures: string[] = [];
    const before = await settledSnapshot(db);
    let cases = 0;
    const known = [
      { slug: 'c', name: 'c', config: { mode: 'BEARER' } },
      { slug: 'o', name: 'o', config: { mode: 'OAUTH2', authorizationParams: { prompt: 'consent' }, tokenResponsePaths: { accessToken: 'a' } } },
      { config: { mode: 'CUSTOM', fields: [{ key: 'k', label: 'K' }] } },
    ];
    // The proxy passes its bodies on to the provider unread, so no JSON rule applies to them.
    for (const [index, operation] of operations.filter((o) => ['POST', 'PUT', 'PATCH'].includes(o.method) && !o.opaqueBody).entries()) {
      const generated = operation.requestSchema ? generate(document, operation.requestSchema, prng(SEED + index)) : { nested: { deeper: {} } };
      const valid = operation.path.startsWith('/v1/connectors') ? known[index % known.length] : generated;
      for (const at of objectPaths(valid)) {
        for (const key of ['__proto__', 'constructor', 'prototype']) {
          const body = Buffer.from(JSON.stringify(withKey(valid, at, key)));
          const path = operation.path.replace('{id}', realIds[collectionOf(operation.path)]?.[0] ?? randomUUID());
          const headers: Record<string, string> = { authorization: `Bearer ${operation.path.startsWith('/v1/connect/') ? sessionToken : workspace.apiKey}`, 'content-type': 'application/json' };
          const answer = await rawRequest(system.urls.gateway, operation.method, path, headers, body, RESPONSE_BOUND_MS * 2);
          cases += 1;
          const named = (JSON.parse(answer.text || '{}') as { error?: { details?: { errors?: Array<{ path: string }> } } }).error?.details?.errors?.[0]?.path;
          const expected = [...at, key].join('.');
          if (answer.status !== 400 || named !== expected) failures.push(`${operation.method} ${operation.path} ${expected}: ${answer.status} ${answer.text.slice(0, 160)}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(cases).toBeGreaterThan(60);
    expect(changedTables(before, await snapshotDatabase(db))).toEqual([]);
  });

  it('answers 415 to a body that is not JSON, and takes repeated query parameters without a 5xx', async () => {
    const failures: string[] = [];
    for (const operation of operations) {
      const path = operation.path.replace('{id}', realIds[collectionOf(operation.path)]?.[0] ?? randomUUID());
      const headers = { authorization: `Bearer ${operation.path.startsWith('/v1/connect/') ? sessionToken : workspace.apiKey}` };
      if (['POST', 'PUT', 'PATCH'].includes(operation.method) && !operation.opaqueBody) {
        for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml', 'multipart/form-data; boundary=x']) {
          const answer = await rawRequest(system.urls.gateway, operation.method, path, { ...headers, 'content-type': contentType }, Buffer.from('name=x'), RESPONSE_BOUND_MS * 2);
          if (answer.status !== 415) failures.push(`${operation.method} ${operation.path} as ${contentType}: ${answer.status}`);
        }
      }
      const repeated = `${path}?limit=1&limit=2&status=active&status=x&waitSeconds=1&waitSeconds=2&cursor=a&cursor=b`;
      const answer = await rawRequest(system.urls.gateway, operation.method, repeated, headers, undefined, RESPONSE_BOUND_MS * 2);
      if (answer.status >= 500) failures.push(`${operation.method} ${repeated}: ${answer.status} ${answer.text.slice(0, 160)}`);
    }
    expect(failures).toEqual([]);
  });

  it('is still healthy and serves the connection it had before the fuzzing', async () => {
    expect((await workspace.call('GET', '/health/ready')).status).toBe(200);
    const credential = await workspace.call<{ credential: { apiKey: string } }>('POST', `/v1/connections/${keeperConnectionId}/credential`, { body: {} });
    expect(credential.status).toBe(200);
    expect(credential.body.credential.apiKey).toBe('fuzz-key-value');
  });
});
