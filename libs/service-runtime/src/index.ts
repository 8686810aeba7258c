export { ServiceRuntimeModule } from './service-runtime.module';
export type { ServiceRuntimeOptions } from './service-runtime.module';
export { startService, runMain } from './run-service';
export type { StartServiceOptions } from './run-service';
export { SERVICE_CONFIG, KEYRING, LOGGER, KAFKA_ADMIN } from './tokens';
