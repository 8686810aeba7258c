import type { DataSource } from 'typeorm';

export interface PruneTarget {
  /** Schema-qualified and quoted, e.g. `"token_issuance".credential_reads`. */
  table: string;
  timeColumn: string;
  /** The table's primary key column. */
  idColumn: string;
}

export interface PruneOptions {
  cutoff: Date;
  /** Rows deleted per statement: each statement holds its locks briefly. */
  batchSize: number;
  /** Statements per run: a run that finds more leaves the rest to the next. */
  maxBatches: number;
}

/**
 * Deletes rows older than `cutoff` in batches of `batchSize`, at most `maxBatches` statements, so a
 * large backlog never becomes one long transaction. Instances pruning at once skip each other's
 * rows (`SKIP LOCKED`) instead of waiting. Returns how many rows went.
 */
export async function pruneInBatches(dataSource: DataSource, target: PruneTarget, options: PruneOptions): Promise<number> {
  let deleted = 0;
  for (let batch = 0; batch < options.maxBatches; batch++) {
    // TypeORM answers a DELETE as [rows, affected]
    const result = await dataSource.query<[unknown, number]>(
      `DELETE FROM ${target.table} WHERE ${target.idColumn} IN (SELECT ${target.idColumn} FROM ${target.table} WHERE ${target.timeColumn} < $1 LIMIT $2 FOR UPDATE SKIP LOCKED)`,
      [options.cutoff, options.batchSize],
    );
    const count = result[1];
    deleted += count;
    if (count < options.batchSize) break;
  }
  return deleted;
}
