// An application that installed @credential-broker/sdk from its tarball: plain JavaScript, CommonJS.
// Run with node by test/sdk/sdk-package.integration.test.ts.
const { randomUUID } = require('node:crypto');
const { CredentialBrokerClient, CredentialBrokerError } = require('@credential-broker/sdk');

async function main([baseUrl, apiKey, slug]) {
  const TOKEN = `plain-${slug}-token`;
  const broker = new CredentialBrokerClient({ baseUrl, apiKey });
  const connector = await broker.connectors.create({ slug, name: `Package ${slug}`, config: { mode: 'BEARER', label: 'Access token' } });
  await broker.connectors.activate(connector.id);
  const session = await broker.connectSessions.create({ connectorId: connector.id, endUserId: `${slug}-user` });
  const submitted = await fetch(`${baseUrl}/v1/connect/credentials`, {
    method: 'POST',
    headers: { authorization: `Bearer ${session.sessionToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ token: TOKEN }),
  });
  const done = await broker.connectSessions.waitForCompletion(session.sessionId, { timeoutMs: 30_000 });
  const { credential } = await broker.connections.getCredential(done.connectionId);
  const missing = await broker.connectors.get(randomUUID()).catch((error) => error);
  return {
    submitted: submitted.status,
    status: done.status,
    tokenMatches: credential.type === 'bearer' && credential.token === TOKEN,
    notFound: missing instanceof CredentialBrokerError ? missing.code : String(missing),
  };
}

main(process.argv.slice(2)).then(
  (outcome) => process.stdout.write(JSON.stringify(outcome)),
  (error) => {
    process.stderr.write(`${error.stack}\n`);
    process.exit(1);
  },
);
