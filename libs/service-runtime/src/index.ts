export { ServiceRuntimeModule } from './service-runtime.module';
export type { ServiceRuntimeOptions } from './service-runtime.module';
export { startService, runMain } from './run-service';
export type { StartServiceOptions } from './run-service';
export { SERVICE_CONFIG, KEYRING, LOGGER, KAFKA_ADMIN } from './tokens';
export { resealRows } from './reseal/reseal-rows';
export type { ResealTable } from './reseal/reseal-rows';
export { runReseal, runResealMain } from './reseal/reseal-command';
export type { ResealCommand } from './reseal/reseal-command';
