export { ConnectorProjectionColumns } from './connector-projection.columns';
export { projectConnectorActivated, projectConnectorDeactivated, type OwnConnectorColumns } from './project-connector-events';
export { connectorProjectionTableSql } from './connector-projection.table';
