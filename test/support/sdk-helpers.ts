import { ConnectSession, CreateConnectSessionRequest, CredentialBrokerClient, CredentialBrokerError } from '@cb/sdk';
import { waitFor } from '../harness';

/** Opens a session once the connector's activation has reached oauth-authorization (an event away). */
export function openSessionWhenConnectable(broker: CredentialBrokerClient, request: CreateConnectSessionRequest): Promise<ConnectSession> {
  return waitFor(
    async () => {
      try {
        return await broker.connectSessions.create(request);
      } catch (error) {
        if (error instanceof CredentialBrokerError && error.code === 'not_found') return undefined;
        throw error;
      }
    },
    { timeoutMs: 20_000, intervalMs: 100, description: 'the connector to be connectable' },
  );
}
