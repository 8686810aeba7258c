/**
 * The credential-read floor: a bare Node HTTP server doing what a credential read must do at the
 * least, the database read of the sealed credential and its AES-256-GCM decryption with the same
 * keyring class, and nothing else (no framework, no API key check, no audit row, no second hop).
 *
 *   POST /credential/<workspaceId>/<connectionId>
 *
 * Environment: DATABASE_URL, VAULT_KEYS, PORT, POOL_SIZE (10, as the services).
 */
import { createServer } from 'node:http';
import { Pool } from 'pg';
import { Keyring } from '@cb/vault-crypto';

const keyring = Keyring.fromConfig(process.env.VAULT_KEYS ?? '');
const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.POOL_SIZE ?? 10), application_name: 'credential-floor' });
const ROUTE = /^\/credential\/([0-9a-f-]{36})\/([0-9a-f-]{36})$/;

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

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => process.stdout.write('credential floor ready\n'));
const stop = (): void => {
  server.close();
  void pool.end().then(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
