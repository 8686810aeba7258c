import { VaultTables1764400000000 } from './1764400000000-vault-tables';
import { RefreshAndDisconnect1764500000000 } from './1764500000000-refresh-and-disconnect';
import { RefreshNextAttempt1764600000000 } from './1764600000000-refresh-next-attempt';
import { ConnectorVersionsAndHealth1764700000000 } from './1764700000000-connector-versions-and-health';
import { RefreshInFlight1764800000000 } from './1764800000000-refresh-in-flight';
import { ConnectorChanges1765100000000 } from './1765100000000-connector-changes';
import { RefreshLeases1765300000000 } from './1765300000000-refresh-leases';
import { ProxyCalls1765500000000 } from './1765500000000-proxy-calls';
import { ConnectionProfiles1766400000000 } from './1766400000000-connection-profiles';
import { ConnectionImports1766500000000 } from './1766500000000-connection-imports';
import { AuditIndexes1767021000000 } from './1767021000000-audit-indexes';
import { ConnectionChanges1767400000000 } from './1767400000000-connection-changes';

/** In order of application. Tables change only through these, never through `synchronize`. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const MIGRATIONS: Function[] = [
  VaultTables1764400000000,
  RefreshAndDisconnect1764500000000,
  RefreshNextAttempt1764600000000,
  ConnectorVersionsAndHealth1764700000000,
  RefreshInFlight1764800000000,
  ConnectorChanges1765100000000,
  RefreshLeases1765300000000,
  ProxyCalls1765500000000,
  ConnectionProfiles1766400000000,
  ConnectionImports1766500000000,
  AuditIndexes1767021000000,
  ConnectionChanges1767400000000,
];
