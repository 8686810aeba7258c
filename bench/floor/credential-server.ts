/**
 * The credential-read floors: a bare Node HTTP server doing what a credential read must do at the
 * least, with no framework and no second hop.
 *
 *   POST /credential/<workspaceId>/<connectionId>   the bare floor: the read of the sealed credential
 *     and its AES-256-GCM decryption with the same keyring class, nothing else
 *   POST /fair/<connectionId>                       the fair floor: also the API key (Authorization:
 *     Bearer) looked up and its hash checked, and the audit row committed before the answer
 *   GET /fair-proxy/<connectionId>/<path>           the proxy's fair floor: the API key checked, the
 *     bearer credential read and opened, the GET sent to PROXY_UPSTREAM over a keep-alive agent, the
 *     answer streamed back, then the proxy_calls row written, as the proxy does
 *
 * Environment: DATABASE_URL, VAULT_KEYS, PORT, POOL_SIZE (10, as the services), PROXY_UPSTREAM.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { Agent, createServer, request as httpRequest, ServerResponse } from 'node:http';
import { Pool } from 'pg';
import { Keyring } from '@cb/vault-crypto';

const keyring = Keyring.fromConfig(process.env.VAULT_KEYS ?? '');
const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.POOL_SIZE ?? 10), application_name: 'credential-floor' });
const ROUTE = /^\/credential\/([0-9a-f-]{36})\/([0-9a-f-]{36})$/;
const FAIR_ROUTE = /^\/fair\/([0-9a-f-]{36})$/;
const API_KEY = /^Bearer cbk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
const FAIR_PROXY_ROUTE = /^\/fair-proxy\/([0-9a-f-]{36})(\/[^?]*)$/;
const upstreamAgent = new Agent({ keepAlive: true, maxSockets: 64 });

interface Row {
  sealed_credential: string;
  credential_version: number;
  mode: string;
}

const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    if (req.method === 'GET' && req.url === '/health') {
      res.writeHead(200).end('ok');
      return;
    }
    const proxied = FAIR_PROXY_ROUTE.exec(req.url ?? '');
    if (req.method === 'GET' && proxied) {
      fairProxy(proxied[1] as string, proxied[2] as string, req.headers.authorization ?? '', res).catch(() => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
      return;
    }
    const fair = FAIR_ROUTE.exec(req.url ?? '');
    if (req.method === 'POST' && fair) {
      fairRead(fair[1] as string, req.headers.authorization ?? '').then(
        (answer) => send(res, answer),
        () => res.writeHead(500).end(),
      );
      return;
    }
    const match = ROUTE.exec(req.url ?? '');
    if (req.method !== 'POST' || !match) {
      res.writeHead(404).end();
      return;
    }
    const [, workspaceId, connectionId] = match as unknown as [string, string, string];
    pool
      .query<Row>('SELECT sealed_credential, credential_version, mode FROM token_issuance.connections WHERE id = $1 AND workspace_id = $2', [connectionId, workspaceId])
      .then(({ rows }) => {
        const row = rows[0];
        if (!row) {
          res.writeHead(404).end();
          return;
        }
        const credential = JSON.parse(keyring.open(row.sealed_credential, `connections:${connectionId}`)) as Record<string, unknown>;
        const body = JSON.stringify({ connectionId, mode: row.mode, credentialVersion: row.credential_version, credential });
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(body);
      })
      .catch(() => res.writeHead(500).end());
  });
});

interface KeyRow {
  id: string;
  workspace_id: string;
  secret_hash: Buffer;
  scopes: string[];
  revoked_at: Date | null;
}

async function fairRead(connectionId: string, authorization: string): Promise<{ status: number; body?: string }> {
  const key = await apiKey(authorization, 'credentials:read');
  if (typeof key === 'number') return { status: key };
  const row = (await pool.query<Row>('SELECT sealed_credential, credential_version, mode FROM token_issuance.connections WHERE id = $1 AND workspace_id = $2', [connectionId, key.workspace_id])).rows[0];
  if (!row) return { status: 404 };
  const credential = JSON.parse(keyring.open(row.sealed_credential, `connections:${connectionId}`)) as Record<string, unknown>;
  await pool.query(
    'INSERT INTO token_issuance.credential_reads (workspace_id, connection_id, api_key_id, include_refresh_token, credential_version, read_at) VALUES ($1, $2, $3, false, $4, now())',
    [key.workspace_id, connectionId, key.id, row.credential_version],
  );
  return { status: 200, body: JSON.stringify({ connectionId, mode: row.mode, credentialVersion: row.credential_version, credential }) };
}

async function fairProxy(connectionId: string, path: string, authorization: string, res: ServerResponse): Promise<void> {
  const started = performance.now();
  const key = await apiKey(authorization, 'proxy');
  if (typeof key === 'number') return send(res, { status: key });
  const row = (await pool.query<Row>('SELECT sealed_credential, credential_version, mode FROM token_issuance.connections WHERE id = $1 AND workspace_id = $2', [connectionId, key.workspace_id])).rows[0];
  if (!row) return send(res, { status: 404 });
  const credential = JSON.parse(keyring.open(row.sealed_credential, `connections:${connectionId}`)) as { token?: string };
  const upstream = new URL(`${process.env.PROXY_UPSTREAM ?? ''}${path}`);
  const status = await new Promise<number>((resolve, reject) => {
    const sent = httpRequest(upstream, { method: 'GET', agent: upstreamAgent, headers: { authorization: `Bearer ${credential.token ?? ''}` } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, { 'content-type': answer.headers['content-type'] ?? 'application/octet-stream' });
      answer.pipe(res);
      answer.on('end', () => resolve(answer.statusCode ?? 502));
      answer.on('error', reject);
    });
    sent.on('error', reject);
    sent.end();
  });
  await pool.query(
    'INSERT INTO token_issuance.proxy_calls (workspace_id, connection_id, api_key_id, method, path, status, error_code, attempts, duration_ms, request_bytes, response_bytes, called_at) VALUES ($1, $2, $3, $4, $5, $6, NULL, 1, $7, 0, 0, now())',
    [key.workspace_id, connectionId, key.id, 'GET', path, status, Math.round(performance.now() - started)],
  );
}

/** The key's row when it is valid and holds the scope; otherwise the status to answer. */
async function apiKey(authorization: string, scope: string): Promise<KeyRow | number> {
  const presented = API_KEY.exec(authorization);
  if (!presented) return 401;
  const key = (await pool.query<KeyRow>('SELECT id, workspace_id, secret_hash, scopes, revoked_at FROM gateway.api_keys WHERE public_id = $1', [presented[1]])).rows[0];
  const hash = createHash('sha256').update(presented[2] as string).digest();
  if (!key || key.revoked_at !== null || key.secret_hash.length !== hash.length || !timingSafeEqual(hash, key.secret_hash)) return 401;
  return key.scopes.includes(scope) ? key : 403;
}

function send(res: ServerResponse, answer: { status: number; body?: string }): void {
  if (answer.body === undefined) res.writeHead(answer.status).end();
  else res.writeHead(answer.status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(answer.body);
}

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => process.stdout.write('credential floor ready\n'));
const stop = (): void => {
  server.close();
  void pool.end().then(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
