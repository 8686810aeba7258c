import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { generateVaultKey, Keyring } from '@cb/vault-crypto';
import { WebhookSecrets } from '../endpoints/webhook-secrets';
import type { WebhookSettings } from '../webhooks.config';
import type { ClaimedDelivery } from './delivery-queue';
import { WebhookSender } from './webhook-sender';

const settings = (admitInternalAddresses: boolean): WebhookSettings => ({
  allowInsecureLoopback: admitInternalAddresses,
  retryScheduleMs: [1000],
  retentionDays: 30,
  pruneIntervalMs: 3_600_000,
  attemptTimeoutMs: 2000,
  concurrency: 4,
  concurrencyPerEndpoint: 2,
  disableAfterFailedDeliveries: 5,
  pollIntervalMs: 1000,
  outbound: { admitInternalAddresses, allowedHosts: [], allowedCidrs: [] },
});

describe('sending one webhook attempt', () => {
  const secrets = new WebhookSecrets(Keyring.fromConfig(generateVaultKey('k1')));
  const secret = secrets.generate();
  let server: Server;
  let base = '';
  const hits: string[] = [];

  const delivery = (url: string): ClaimedDelivery => ({
    id: '7c1d1a4e-2f0b-4a55-9d7e-0a3c3d1e2f10',
    leaseId: 'lease',
    attempt: 1,
    attemptsThisRound: 1,
    body: '{"type":"connector.activated"}',
    url,
    endpointId: 'b5d0f2a8-7a51-4c1e-a3b0-3e1f8c2d4a6b',
    sealedSecret: secrets.seal('b5d0f2a8-7a51-4c1e-a3b0-3e1f8c2d4a6b', secret),
    previousSealedSecret: null,
    previousSecretExpiresAt: null,
  });

  beforeAll(async () => {
    server = createServer((request, response) => {
      hits.push(request.url ?? '');
      if (request.url === '/moved') return void response.writeHead(302, { location: '/elsewhere' }).end();
      if (request.url === '/signed') {
        const chunks: Buffer[] = [];
        request.on('data', (chunk: Buffer) => chunks.push(chunk));
        request.on('end', () => {
          const verified = new Webhook(secret).verify(Buffer.concat(chunks).toString(), request.headers as Record<string, string>);
          response.writeHead(200).end(JSON.stringify(verified));
        });
        return;
      }
      response.writeHead(200).end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('signs so that standardwebhooks verifies it', async () => {
    const result = await new WebhookSender(settings(true), secrets).send(delivery(`${base}/signed`));
    expect(result).toMatchObject({ outcome: 'succeeded', statusCode: 200, responseSnippet: '{"type":"connector.activated"}' });
  });

  it('follows no redirect: a 302 is a failed attempt and its target is never asked', async () => {
    const result = await new WebhookSender(settings(true), secrets).send(delivery(`${base}/moved`));
    expect(result).toMatchObject({ outcome: 'http_error', statusCode: 302 });
    expect(hits).not.toContain('/elsewhere');
  });

  it('in production, refuses an internal address before sending anything', async () => {
    const before = hits.length;
    const result = await new WebhookSender(settings(false), secrets).send(delivery(`${base}/signed`));
    expect(result.outcome).toBe('refused');
    expect(result.error).toMatch(/internal address/);
    expect(hits).toHaveLength(before);
  });
});
