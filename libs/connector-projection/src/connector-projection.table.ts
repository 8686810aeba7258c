/**
 * The DDL of a service's `connectors` projection table: the shared columns of
 * {@link ConnectorProjectionColumns} around the service's own (`ownColumns`, e.g.
 * `sealed_client_secret text`). For the service's first migration; later changes are migrations of their own.
 */
export function connectorProjectionTableSql(schema: string, ownColumns: string[]): string {
  const columns = [
    'connector_id uuid PRIMARY KEY',
    'workspace_id uuid NOT NULL',
    'slug text NOT NULL',
    'name text NOT NULL',
    'mode text NOT NULL',
    'version integer NOT NULL',
    'config jsonb NOT NULL',
    ...ownColumns,
    'active boolean NOT NULL',
    'updated_at timestamptz NOT NULL DEFAULT now()',
  ];
  return `CREATE TABLE "${schema}".connectors (\n  ${columns.join(',\n  ')}\n)`;
}
