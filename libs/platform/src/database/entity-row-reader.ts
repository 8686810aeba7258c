import type { DataSource, EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';

/**
 * Reads entities with one statement written once from the entity's own metadata (its table and
 * every column), and maps each row by that metadata: for a hot read, TypeORM's query building costs
 * more than the query. The driver's own parsing (dates, json, numbers) is what TypeORM would return
 * for the column types our entities use; `where` uses the column names and $1, $2, … parameters.
 */
export class EntityRowReader<E extends ObjectLiteral> {
  private readonly sql: string;
  private readonly columns: Array<{ property: string; column: string }>;

  constructor(dataSource: DataSource, entity: EntityTarget<E>, where: string) {
    const metadata = dataSource.getMetadata(entity);
    this.columns = metadata.columns.map((c) => ({ property: c.propertyName, column: c.databaseName }));
    const table = metadata.schema ? `"${metadata.schema}"."${metadata.tableName}"` : `"${metadata.tableName}"`;
    this.sql = `SELECT ${this.columns.map((c) => `"${c.column}"`).join(', ')} FROM ${table} WHERE ${where}`;
  }

  async one(manager: EntityManager, parameters: unknown[]): Promise<E | null> {
    const rows: Array<Record<string, unknown>> = await manager.query(this.sql, parameters);
    const row = rows[0];
    if (!row) return null;
    const entity = {} as Record<string, unknown>;
    for (const { property, column } of this.columns) entity[property] = row[column];
    return entity as E;
  }
}
