/** What every scenario gets: the running system, settings, a database pool and Kafka for the driver. */
import { Kafka } from 'kafkajs';
import { Pool } from 'pg';
import type { Infrastructure, RunState } from './infra';
import type { Watched } from './sampler';
import type { RunningSystem } from './system';

export interface Settings {
  mode: 'quick' | 'full';
  /** 1: connect flows measured (each paired with a floor flow). */
  connectFlows: number;
  /** 2: connections falling due at once. */
  refreshConnections: number;
  /** 2: bounded concurrency of the seeding authorizations at the sandbox. */
  seedConcurrency: number;
  /** 2: concurrency of the floor's refresh grants: the number of TokenExpired messages token-issuance handles at once. */
  /** The most rounds the refresh floor splits its grants into while it looks for the provider's saturation. */
  refreshFloorRounds: number;
  /** 3: concurrent readers, warm-up and measured seconds. */
  readConcurrency: number;
  readWarmupSeconds: number;
  readSeconds: number;
  /** 3: connections the readers spread over. */
  readConnections: number;
  /** 4: the two schedule sizes compared, and claim queries timed at each. */
  scaleSmallRows: number;
  scaleLargeRows: number;
  scaleQueryRepeats: number;
  /** 5: outbox rows relayed, and the relay's batch size (libs/messaging OutboxRelay BATCH_SIZE) used by the floor producer. */
  relayEvents: number;
  /** 5: single events committed one at a time (relay wake-up latency). */
  relaySingleEvents: number;
  relayBatchSize: number;
  /** 7: mixed load kept up for `soakSeconds` after a warm-up of the same load; every service's RSS sampled every `soakSampleSeconds`. */
  soakSeconds: number;
  soakWarmupSeconds: number;
  soakSampleSeconds: number;
  /** 7: connections read and refreshed again and again. */
  soakConnections: number;
  /** 7: paced credential readers and their rate in all (a steady load, not saturation). */
  soakReadClients: number;
  soakReadsPerSecond: number;
  /** 7: every soak connection made due once per this many seconds; one connect flow started per this many seconds. */
  soakRefreshEverySeconds: number;
  soakConnectEverySeconds: number;
  /** The token-refresh scheduler's claim batch (REFRESH_BATCH_SIZE default). */
  schedulerBatchSize: number;
  sandboxAccessTokenTtlSeconds: number;
  postgresOptions: string;
  scenarios: string[];
}

export interface Workspace {
  workspaceId: string;
  apiKey: string;
  connectorId: string;
  scopes: string[];
}

export interface BenchContext {
  settings: Settings;
  state: RunState;
  infra: Infrastructure;
  system: RunningSystem;
  /** Pool on the broker's database, for the driver's own queries. */
  db: Pool;
  kafka: Kafka;
  workspace: Workspace;
  /** Every process whose CPU and memory count, plus extra ones a scenario adds while it runs. */
  watched(): Watched[];
  extraWatched: Watched[];
  /** A name unique to this run, for groups and topics. */
  unique(prefix: string): string;
}
