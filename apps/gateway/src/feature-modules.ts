import type { DynamicModule, Type } from '@nestjs/common';
import { AuditModule } from './audit/audit.module';
import { ConnectModule } from './connect/connect.module';
import { ConnectionsModule } from './connections/connections.module';
import { ProxyModule } from './proxy/proxy.module';
import { RateLimitModule } from './rate-limit/rate-limit.module';
import { UiModule } from './ui/ui.module';
import { WebhooksModule } from './webhooks/webhooks.module';

/**
 * Feature areas of the public API, each a Nest module with its own controllers (e.g. connect
 * sessions under `src/connect/`, connections under `src/connections/`). Append yours here.
 *
 * Every feature module can inject, without importing anything: `UpstreamClient` (from
 * `./upstream`) to call a back-end service, `GATEWAY_CONFIG` (from `./gateway.config`), the
 * gateway's `DataSource`, and the global `ApiKeyGuard` protects its routes (`@Public()`,
 * `@RequireScopes()`, `@CurrentWorkspace()` from `./auth`).
 */
export const FEATURE_MODULES: Array<Type<unknown> | DynamicModule> = [ConnectModule, ConnectionsModule, UiModule, RateLimitModule, ProxyModule, WebhooksModule, AuditModule];
