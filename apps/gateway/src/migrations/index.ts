import { GatewayCore1764400000000 } from './1764400000000-gateway-core.migration';
import { ApiKeyChanges1765100000000 } from './1765100000000-api-key-changes.migration';
import { RateLimitBuckets1766200000000 } from './1766200000000-rate-limit-buckets.migration';
import { ApiKeyEvents1767021000000 } from './1767021000000-api-key-events.migration';

/** In order of application. Tables change only through these, never through `synchronize`. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const MIGRATIONS: Function[] = [GatewayCore1764400000000, ApiKeyChanges1765100000000, RateLimitBuckets1766200000000, ApiKeyEvents1767021000000];
