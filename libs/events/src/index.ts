export * from './contracts/event-definition';
export * from './contracts/connector.events';
export * from './contracts/connect.events';
export * from './contracts/connection-profile-rules';
export * from './contracts/token.events';
export * from './contracts/catalog';
export * from './cloudevents/headers';
export * from './contracts/webhook-event-types';
