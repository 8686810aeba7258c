import type { StartedTestContainer } from 'testcontainers';
import type { HarnessRoles } from './database-roles';
import type { LocalState } from './local-infra';

/** What global setup started, handed to global teardown (Jest shares globalThis between the two). */
export type HarnessHandle =
  | { mode: 'external'; roles?: HarnessRoles }
  | { mode: 'docker'; containers: StartedTestContainer[] }
  | { mode: 'local'; state: LocalState };

export const HARNESS_KEY = '__credentialBrokerHarness';
