import type { TokenIssuedPayload } from '@cb/events';
import { fromTokenIssued } from './webhook-event-types';

const issued = (reason: TokenIssuedPayload['reason']): TokenIssuedPayload => ({
  workspaceId: '00000000-0000-4000-8000-000000000001',
  connectionId: '00000000-0000-4000-8000-000000000002',
  connectorId: '00000000-0000-4000-8000-000000000003',
  endUserId: 'user-1',
  connectorVersion: 1,
  mode: 'OAUTH2',
  reason,
  scopes: [],
  expiresAt: null,
  refreshable: true,
  refreshMarginSeconds: 300,
  credentialVersion: 1,
  issuedAt: '2026-12-05T00:00:00.000Z',
});

describe('fromTokenIssued', () => {
  it('names every reason of TokenIssued: a connection made or imported is created, ordered by the connection', () => {
    expect(fromTokenIssued(issued('connect'))).toMatchObject({ type: 'connection.created', orderingKey: '00000000-0000-4000-8000-000000000002' });
    expect(fromTokenIssued(issued('import'))).toMatchObject({ type: 'connection.created', data: { reason: 'import' } });
    expect(fromTokenIssued(issued('refresh')).type).toBe('connection.refreshed');
    expect(fromTokenIssued(issued('reconnect')).type).toBe('connection.reconnected');
  });
});
