/**
 * Where the sandbox keeps its state: in memory (the default: a restart forgets everything), or in
 * PostgreSQL when SANDBOX_DATABASE_URL is set (grants, tokens and keys survive restarts).
 */
import { openMemoryStore } from './memory-adapter.mjs';
import { openPostgresStore } from './postgres-store.mjs';

export function openStore(config) {
  if (!config.database) return openMemoryStore();
  return openPostgresStore(config.database);
}
