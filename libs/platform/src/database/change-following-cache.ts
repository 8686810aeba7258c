import { Client } from 'pg';

export interface ChangeFollowingCacheOptions {
  databaseUrl: string;
  /** Shown in pg_stat_activity for the listening connection. */
  applicationName: string;
  /** The channel a trigger notifies on every change of a cached row, with the row's key as payload. */
  channel: string;
  /** How long a value is kept at most. */
  keptMs: number;
  /** Values kept at most; all are dropped when it is reached. */
  limit: number;
  onListenFailure?: (error: Error) => void;
}

const RELISTEN_DELAY_MS = 1_000;

/**
 * Database rows kept in memory by key, but only while this process listens to the channel a
 * trigger notifies on every change of those rows, whoever commits it (any instance, a migration,
 * an operator's SQL): the changed key is dropped as the change commits. Before listening, and after
 * losing the listening connection, every `get` loads. A load that raced a change is not kept, and
 * a missing row (null) is never kept.
 */
export class ChangeFollowingCache<V> {
  private readonly kept = new Map<string, { value: V; until: number }>();
  private listener: Client | undefined;
  private listening = false;
  /** Bumped on every change heard and every loss of the listener; a load keeps its value only if unchanged. */
  private generation = 0;
  private stopped = false;
  private relisten: NodeJS.Timeout | undefined;

  constructor(private readonly options: ChangeFollowingCacheOptions) {}

  async get(key: string, load: () => Promise<V | null>): Promise<V | null> {
    const kept = this.kept.get(key);
    if (kept && this.listening && kept.until > Date.now()) return kept.value;
    const generation = this.generation;
    const value = await load();
    if (value !== null && this.listening && generation === this.generation) {
      if (this.kept.size >= this.options.limit) this.kept.clear();
      this.kept.set(key, { value, until: Date.now() + this.options.keptMs });
    }
    return value;
  }

  /** Drops every kept value at once, e.g. right after this process changed one. */
  forgetAll(): void {
    this.generation++;
    this.kept.clear();
  }

  start(): void {
    void this.listen();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.relisten);
    const listener = this.listener;
    this.listener = undefined;
    this.listening = false;
    await listener?.end().catch(() => undefined);
  }

  private async listen(): Promise<void> {
    const client = new Client({ connectionString: this.options.databaseUrl, application_name: this.options.applicationName });
    this.listener = client;
    client.on('notification', (message) => this.forget(message.payload));
    client.on('error', () => this.lost(client));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN "${this.options.channel}"`);
      if (this.listener === client && !this.stopped) this.listening = true;
    } catch (error) {
      if (this.listener === client) this.options.onListenFailure?.(error as Error);
      this.lost(client);
    }
  }

  private forget(key: string | undefined): void {
    this.generation++;
    if (key) this.kept.delete(key);
  }

  private lost(client: Client): void {
    if (this.listener !== client) return;
    this.listener = undefined;
    this.listening = false;
    this.forgetAll();
    void client.end().catch(() => undefined);
    if (!this.stopped) this.relisten = setTimeout(() => void this.listen(), RELISTEN_DELAY_MS);
  }
}
