import { DataSource, EntityManager } from 'typeorm';
import { ConnectSessionEntity } from './connect-session.entity';
import { hashToken } from './session-token';
import { invalidSessionToken } from '../oauth-authorization.errors';

/** The session a connect dialog's token belongs to; the token itself is stored only as a hash. */
export async function findSessionByToken(db: DataSource | EntityManager, token: string | undefined, lock = false): Promise<ConnectSessionEntity> {
  if (!token || token.length > 256) throw invalidSessionToken();
  const session = await db
    .getRepository(ConnectSessionEntity)
    .findOne({ where: { tokenHash: hashToken(token) }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
  if (!session) throw invalidSessionToken();
  return session;
}
