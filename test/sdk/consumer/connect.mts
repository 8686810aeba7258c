// An application that installed @credential-broker/sdk from its tarball: TypeScript, ES modules.
// Compiled with tsc (strict) and run with node by test/sdk/sdk-package.integration.test.ts.
import { CredentialBrokerClient, CredentialBrokerError, type Credential, type CredentialMaterial } from '@credential-broker/sdk';

const [baseUrl, apiKey, slug] = process.argv.slice(2) as [string, string, string];
const TOKEN = `typed-${slug}-token`;

const broker = new CredentialBrokerClient({ baseUrl, apiKey });
const connector = await broker.connectors.create({ slug, name: `Package ${slug}`, config: { mode: 'BEARER', label: 'Access token' } });
await broker.connectors.activate(connector.id);
const session = await broker.connectSessions.create({ connectorId: connector.id, endUserId: `${slug}-user` });
// what the connect dialog does with the token the end user types
const submitted = await fetch(`${baseUrl}/v1/connect/credentials`, {
  method: 'POST',
  headers: { authorization: `Bearer ${session.sessionToken}`, 'content-type': 'application/json' },
  body: JSON.stringify({ token: TOKEN }),
});
const done = await broker.connectSessions.waitForCompletion(session.sessionId, { timeoutMs: 30_000 });
const read: Credential = await broker.connections.getCredential(done.connectionId);
const material: CredentialMaterial = read.credential;
const token: string | undefined = material.type === 'bearer' ? material.token : undefined;
const missing = await broker.connectors.get(crypto.randomUUID()).catch((error: unknown) => error);

process.stdout.write(
  JSON.stringify({
    submitted: submitted.status,
    status: done.status,
    tokenMatches: token === TOKEN,
    notFound: missing instanceof CredentialBrokerError ? missing.code : String(missing),
  }),
);
