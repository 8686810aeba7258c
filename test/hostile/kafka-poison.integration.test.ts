/**
 * Malformed, oversized and wrong-version messages on every consumed topic (EVENT_CATALOG × its
 * consumers), on the running system: each consumer dead-letters each of them with a reason, and
 * stays alive: a valid event sent afterwards on the same partition is handled (its id lands in the
 * consumer's inbox).
 */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, Producer } from 'kafkajs';
import { cloudEventHeaders, DEAD_LETTER_TOPIC, EVENT_CATALOG, EventDefinition } from '@cb/events';
import { Keyring } from '@cb/vault-crypto';
import { collectMessages, MessageCollector, waitFor } from '../harness';
import { RunningSystem, startSystem } from '../support/system';
import { activeConnector, newWorkspace, withDb, Workspace } from './hostile-support';

const SCHEMA: Record<string, string> = {
  'connector-config': 'connector_config',
  'oauth-authorization': 'oauth_authorization',
  'token-issuance': 'token_issuance',
  'token-refresh': 'token_refresh',
};

interface Poison {
  kind: string;
  /** The dlq_error_code expected, or a pattern. */
  code: string | RegExp;
  build(definition: EventDefinition, key: string): { value: Buffer | null; headers: Record<string, string> };
}

describe('poison messages on every consumed topic', () => {
  let system: RunningSystem;
  let workspace: Workspace;
  let keyring: Keyring;
  let producer: Producer;
  let deadLetters: MessageCollector;
  let apiKeyConnectorId: string;
  let bearerConnectorId: string;
  const now = (): string => new Date().toISOString();

  const headersFor = (definition: EventDefinition, key: string, overrides: Record<string, string | undefined> = {}): Record<string, string> => {
    const headers: Record<string, string | undefined> = { ...cloudEventHeaders(definition, 'poison-test', key), ...overrides };
    return Object.fromEntries(Object.entries(headers).filter((entry): entry is [string, string] => entry[1] !== undefined));
  };

  /** A payload that validates and that the consumers can handle without harm. */
  const validPayload = (definition: EventDefinition, key: string): Record<string, unknown> => {
    const ref = { connectionId: key, workspaceId: workspace.workspaceId, connectorId: apiKeyConnectorId, endUserId: 'poison-user' };
    const attempt = { ...ref, sessionId: randomUUID(), connectorVersion: 1, reconnect: false };
    switch (definition.name) {
      case 'ConnectorActivated':
        return { connectorId: key, workspaceId: workspace.workspaceId, slug: `p-${key.slice(0, 8)}`, name: 'Poison test', mode: 'BEARER', version: 1, config: { mode: 'BEARER' }, sealedSecrets: {}, activatedAt: now() };
      case 'ConnectorDeactivated':
        return { connectorId: key, workspaceId: workspace.workspaceId, version: 1, deactivatedAt: now() };
      case 'CodeReceived':
        return {
          ...attempt,
          connectorId: bearerConnectorId,
          sealedCode: keyring.seal('not-a-code', `CodeReceived:${key}`),
          redirectUri: `${system.urls.gateway}/oauth/callback`,
          requestedScopes: [],
          receivedAt: now(),
        };
      case 'CredentialsSubmitted':
        return { ...attempt, mode: 'API_KEY', sealedInput: keyring.seal(JSON.stringify({ mode: 'API_KEY', apiKey: 'poison-key' }), `CredentialsSubmitted:${key}`), submittedAt: now() };
      case 'TokenIssued':
        // reconnect: the one reason every consumer of TokenIssued acts on (each passes over some others)
        return { ...ref, connectorVersion: 1, mode: 'API_KEY', reason: 'reconnect', scopes: [], expiresAt: null, refreshable: false, refreshMarginSeconds: 0, credentialVersion: 1, issuedAt: now() };
      case 'ConnectionFailed':
        return { ...ref, sessionId: randomUUID(), errorCode: 'invalid_grant', reason: 'test', failedAt: now() };
      case 'TokenExpired':
        return { ...ref, reason: 'due', expiresAt: null, credentialVersion: 1, detectedAt: now() };
      case 'ConnectionStatusChanged':
        return { ...ref, status: 'needs_reconnect', previousStatus: 'active', reason: 'test', changedAt: now() };
      case 'ConnectionDeleted':
        return { ...ref, revocation: 'nothing_to_revoke', deletedAt: now() };
      default:
        throw new Error(`no valid payload for ${definition.name}`);
    }
  };

  const POISONS: Poison[] = [
    { kind: 'not JSON', code: 'malformed_json', build: (d, k) => ({ value: Buffer.from('{"connectionId": '), headers: headersFor(d, k) }) },
    { kind: 'bad UTF-8', code: 'malformed_json', build: (d, k) => ({ value: Buffer.from([0x7b, 0xff, 0xfe, 0xc3, 0x28, 0x7d]), headers: headersFor(d, k) }) },
    { kind: 'empty value', code: 'empty_message', build: (d, k) => ({ value: null, headers: headersFor(d, k) }) },
    {
      kind: 'oversized',
      code: 'oversized_message',
      build: (d, k) => ({ value: Buffer.from(JSON.stringify({ ...validPayload(d, k), padding: 'x'.repeat(300 * 1024) })), headers: headersFor(d, k) }),
    },
    { kind: 'next payload version', code: 'unsupported_event_type', build: (d, k) => ({ value: Buffer.from(JSON.stringify(validPayload(d, k))), headers: headersFor(d, k, { ce_type: d.type.replace(/\.v1$/, '.v2') }) }) },
    { kind: 'another event type', code: 'unsupported_event_type', build: (d, k) => ({ value: Buffer.from(JSON.stringify(validPayload(d, k))), headers: headersFor(d, k, { ce_type: 'dev.credential-broker.anything.v1' }) }) },
    { kind: 'CloudEvents 0.3', code: 'unsupported_specversion', build: (d, k) => ({ value: Buffer.from(JSON.stringify(validPayload(d, k))), headers: headersFor(d, k, { ce_specversion: '0.3' }) }) },
    { kind: 'no CloudEvents headers', code: 'missing_cloudevents_attributes', build: (d, k) => ({ value: Buffer.from(JSON.stringify(validPayload(d, k))), headers: {} }) },
    { kind: 'ce_id not a UUID', code: 'invalid_event_id', build: (d, k) => ({ value: Buffer.from(JSON.stringify(validPayload(d, k))), headers: headersFor(d, k, { ce_id: "1' OR '1'='1" }) }) },
    { kind: 'wrong field types', code: 'invalid_payload', build: (d, k) => ({ value: Buffer.from(JSON.stringify({ ...validPayload(d, k), workspaceId: 42, connectorId: ['x'] })), headers: headersFor(d, k) }) },
    { kind: 'unknown field', code: 'invalid_payload', build: (d, k) => ({ value: Buffer.from(JSON.stringify({ ...validPayload(d, k), isAdmin: true })), headers: headersFor(d, k) }) },
    { kind: 'JSON array', code: 'invalid_payload', build: (d, k) => ({ value: Buffer.from(JSON.stringify([validPayload(d, k)])), headers: headersFor(d, k) }) },
    { kind: 'deep nesting', code: /./, build: (d, k) => ({ value: Buffer.from(`${'['.repeat(100_000)}${']'.repeat(100_000)}`), headers: headersFor(d, k) }) },
  ];

  beforeAll(async () => {
    system = await startSystem();
    keyring = Keyring.fromConfig(system.env.VAULT_KEYS as string);
    workspace = await newWorkspace(system, 'Poison Co');
    apiKeyConnectorId = await activeConnector(workspace, 'poison-api', { mode: 'API_KEY', headerName: 'X-Key' });
    bearerConnectorId = await activeConnector(workspace, 'poison-bearer', { mode: 'BEARER' });
    // both projections must know the connectors before a sentinel names them
    await waitFor(
      () =>
        withDb(system.databaseUrl, async (db) => {
          const a = await db.query('SELECT 1 FROM token_issuance.connectors WHERE connector_id = ANY($1)', [[apiKeyConnectorId, bearerConnectorId]]);
          const b = await db.query('SELECT 1 FROM oauth_authorization.connectors WHERE connector_id = ANY($1)', [[apiKeyConnectorId, bearerConnectorId]]);
          return a.rowCount === 2 && b.rowCount === 2;
        }),
      { timeoutMs: 20_000, description: 'the connector projections' },
    );
    producer = new Kafka({ clientId: 'poison-test', brokers: system.kafkaBrokers, logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    deadLetters = await collectMessages({ brokers: system.kafkaBrokers, topics: [system.topic(DEAD_LETTER_TOPIC)] });
  });

  afterAll(async () => {
    await producer?.disconnect();
    await deadLetters?.stop();
    await system?.stop();
  });

  it('dead-letters every poison message once per consumer with a reason, and each consumer then handles a valid event', async () => {
    const sentinels: Array<{ definition: EventDefinition; id: string }> = [];
    const expected: Array<{ topic: string; consumer: string; kind: string; code: string | RegExp; key: string }> = [];
    const consumed = EVENT_CATALOG.filter((d) => d.consumers.some((c) => SCHEMA[c]));
    expect(consumed).toHaveLength(EVENT_CATALOG.length);
    for (const definition of consumed) {
      const key = randomUUID();
      const topic = system.topic(definition.topic);
      const messages = POISONS.map((poison) => {
        for (const consumer of definition.consumers) expected.push({ topic, consumer, kind: poison.kind, code: poison.code, key });
        const { value, headers } = poison.build(definition, key);
        return { key, value, headers: { ...headers, 'x-poison-kind': poison.kind } };
      });
      const id = randomUUID();
      sentinels.push({ definition, id });
      messages.push({ key, value: Buffer.from(JSON.stringify(validPayload(definition, key))), headers: { ...headersFor(definition, key, { ce_id: id }), 'x-poison-kind': 'valid' } });
      await producer.send({ topic, messages });
    }

    await waitFor(() => deadLetters.messages.length >= expected.length, { timeoutMs: 60_000, description: `${expected.length} dead letters` });
    const missing: string[] = [];
    for (const want of expected) {
      const found = deadLetters.messages.find(
        (m) => m.headers.dlq_original_topic === want.topic && m.headers.dlq_consumer === want.consumer && m.headers['x-poison-kind'] === want.kind && m.key === want.key,
      );
      if (!found) {
        missing.push(`${want.consumer} on ${want.topic}: ${want.kind}`);
        continue;
      }
      expect({ kind: want.kind, code: found.headers.dlq_error_code }).toEqual({ kind: want.kind, code: expect.stringMatching(want.code) });
      expect(found.headers.dlq_error?.length).toBeGreaterThan(0);
      expect(found.headers.dlq_original_offset).toMatch(/^\d+$/);
      if (want.kind === 'oversized') expect(found.value).toBe('');
    }
    expect(missing).toEqual([]);
    expect(deadLetters.messages.filter((m) => m.headers['x-poison-kind'] === 'valid')).toEqual([]);

    for (const { definition, id } of sentinels) {
      for (const consumer of definition.consumers) {
        await waitFor(
          () => withDb(system.databaseUrl, async (db) => (await db.query(`SELECT 1 FROM "${SCHEMA[consumer]}".inbox WHERE event_id = $1`, [id])).rowCount === 1),
          { timeoutMs: 30_000, description: `${consumer} to handle a valid ${definition.name} after the poison` },
        );
      }
    }
    process.stdout.write(`kafka poison: ${POISONS.length} kinds × ${consumed.length} topics, ${expected.length} dead letters checked, ${sentinels.length} valid events handled afterwards\n`);
  });

  it('the system still works end to end afterwards: a typed-credential connect completes', async () => {
    const session = await workspace.call<{ sessionId: string; sessionToken: string }>('POST', '/v1/connect-sessions', { body: { connectorId: apiKeyConnectorId, endUserId: 'after-poison' } });
    expect(session.status).toBe(201);
    const submitted = await fetch(`${system.urls.gateway}/v1/connect/credentials`, {
      method: 'POST',
      headers: { authorization: `Bearer ${session.body.sessionToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ apiKey: 'after-poison-key' }),
    });
    expect(submitted.status).toBe(202);
    await waitFor(async () => (await workspace.call<{ status: string }>('GET', `/v1/connect-sessions/${session.body.sessionId}`)).body.status === 'completed', {
      timeoutMs: 30_000,
      description: 'the session to complete',
    });
  });
});
