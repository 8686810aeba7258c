/** The module's tables, schema-qualified (the module is given its schema, so it can move to a service of its own). */
export class WebhookTables {
  readonly endpoints: string;
  readonly deliveries: string;
  readonly attempts: string;

  constructor(schema: string) {
    this.endpoints = `"${schema}".webhook_endpoints`;
    this.deliveries = `"${schema}".webhook_deliveries`;
    this.attempts = `"${schema}".webhook_attempts`;
  }
}

/**
 * The rows a query returned. TypeORM answers an UPDATE or DELETE with `[rows, affected]` on
 * PostgreSQL, and an INSERT or SELECT with the rows alone.
 */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0] as T[];
  return result as T[];
}
