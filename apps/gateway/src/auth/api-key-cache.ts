import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { GATEWAY_CONFIG, GatewayConfig } from '../gateway.config';
import { ApiKeyEntity } from '../workspaces/api-key.entity';

const KEPT_MS = 60_000;
const KEPT_LIMIT = 10_000;
const RELISTEN_DELAY_MS = 1_000;

/**
 * API key rows by public id, kept for a minute but only while this instance listens for
 * `<schema>.api_keys_changed`, which a trigger on `api_keys` sends for every revocation, deletion or
 * other change, whoever commits it: each instance drops its copy as the change commits. Starting, or
 * after losing the listening connection, every lookup goes to the database. A lookup that raced a
 * change is not kept, and unknown keys are never kept (a flood of made-up keys cannot fill it).
 */
@Injectable()
export class ApiKeyCache implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ApiKeyCache.name);
  private readonly kept = new Map<string, { key: ApiKeyEntity; until: number }>();
  private listener: Client | undefined;
  private listening = false;
  /** Bumped on every change heard and every loss of the listener; a lookup keeps its row only if unchanged. */
  private generation = 0;
  private stopped = false;
  private relisten: NodeJS.Timeout | undefined;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  async lookup(publicId: string): Promise<ApiKeyEntity | null> {
    const kept = this.kept.get(publicId);
    if (kept && this.listening && kept.until > Date.now()) return kept.key;
    const generation = this.generation;
    const key = await this.dataSource.getRepository(ApiKeyEntity).findOneBy({ publicId });
    if (key && this.listening && generation === this.generation) {
      if (this.kept.size >= KEPT_LIMIT) this.kept.clear();
      this.kept.set(publicId, { key, until: Date.now() + KEPT_MS });
    }
    return key;
  }

  /** Drops every kept key at once, e.g. after this instance revoked one (the others hear the change). */
  forgetAll(): void {
    this.generation++;
    this.kept.clear();
  }

  onApplicationBootstrap(): void {
    void this.listen();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.relisten);
    await this.listener?.end().catch(() => undefined);
  }

  private async listen(): Promise<void> {
    const client = new Client({ connectionString: this.config.databaseUrl, application_name: `${this.config.serviceName}-api-key-changes` });
    this.listener = client;
    client.on('notification', (message) => this.forget(message.payload));
    client.on('error', () => this.lost(client));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN "${this.schema()}.api_keys_changed"`);
      if (this.listener === client && !this.stopped) this.listening = true;
    } catch (error) {
      this.logger.warn(`cannot listen for API key changes (${(error as Error).message}); keys are looked up on every request meanwhile`);
      this.lost(client);
    }
  }

  private forget(publicId: string | undefined): void {
    this.generation++;
    if (publicId) this.kept.delete(publicId);
  }

  private lost(client: Client): void {
    if (this.listener !== client) return;
    this.listener = undefined;
    this.listening = false;
    this.generation++;
    this.kept.clear();
    void client.end().catch(() => undefined);
    if (!this.stopped) this.relisten = setTimeout(() => void this.listen(), RELISTEN_DELAY_MS);
  }

  private schema(): string {
    return (this.dataSource.options as { schema?: string }).schema ?? 'public';
  }
}
