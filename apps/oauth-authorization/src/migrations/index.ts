import { ConnectTables1764400000000 } from './1764400000000-connect-tables';
import { SessionIdempotencyKeys1765000000000 } from './1765000000000-session-idempotency-keys';
import { SessionEndUserDetails1766400000000 } from './1766400000000-session-end-user-details';
import { SessionProfile1767021000000 } from './1767021000000-session-profile';
import { SessionExtraScopes1767300000000 } from './1767300000000-session-extra-scopes';

/** In order of application. Tables change only through these, never through `synchronize`. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const MIGRATIONS: Function[] = [ConnectTables1764400000000, SessionIdempotencyKeys1765000000000, SessionEndUserDetails1766400000000, SessionProfile1767021000000, SessionExtraScopes1767300000000];
