import { DataSource, EntityTarget, FindOptionsOrder, FindOptionsWhere, In, MoreThan, ObjectLiteral } from 'typeorm';

export interface ResealTable<T extends ObjectLiteral> {
  entity: EntityTarget<T>;
  /** The primary key property (a single, orderable column). */
  id: keyof T & string;
  /** True when a sealed value of the row was sealed under a key other than the primary one. */
  needsRotation(row: T): boolean;
  /** The changed columns, re-sealed under the primary key. */
  reseal(row: T): Partial<T>;
}

const PAGE = 200;

/**
 * Re-seals every row of a table that holds a value sealed under an older key. Pages through the
 * table by primary key; each page's candidates are re-read under `FOR UPDATE` in one transaction,
 * so a row changed meanwhile by the service (a refresh, an update) is re-checked, never overwritten
 * with stale data. Returns how many rows were re-sealed.
 */
export async function resealRows<T extends ObjectLiteral>(dataSource: DataSource, table: ResealTable<T>): Promise<number> {
  const repository = dataSource.getRepository(table.entity);
  let resealed = 0;
  let after: unknown = undefined;
  for (;;) {
    const where = (after === undefined ? {} : { [table.id]: MoreThan(after) }) as FindOptionsWhere<T>;
    const page = await repository.find({ where, order: { [table.id]: 'ASC' } as FindOptionsOrder<T>, take: PAGE });
    if (page.length === 0) return resealed;
    after = page[page.length - 1]?.[table.id];
    const candidates = page.filter((row) => table.needsRotation(row)).map((row) => row[table.id] as unknown);
    if (candidates.length === 0) continue;
    resealed += await dataSource.transaction(async (manager) => {
      const locked = await manager.getRepository(table.entity).find({ where: { [table.id]: In(candidates) } as FindOptionsWhere<T>, lock: { mode: 'pessimistic_write' } });
      let count = 0;
      for (const row of locked.filter((r) => table.needsRotation(r))) {
        await manager.getRepository(table.entity).update({ [table.id]: row[table.id] } as FindOptionsWhere<T>, table.reseal(row));
        count += 1;
      }
      return count;
    });
  }
}
