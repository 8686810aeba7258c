import { Global, Module } from '@nestjs/common';
import { RateLimitGuard } from './rate-limit.guard';
import { SharedRateLimits } from './shared-rate-limits';

/** Rate limits on the routes marked `@RateLimit(…)`, shared by every gateway instance. */
@Global()
@Module({ providers: [SharedRateLimits, RateLimitGuard], exports: [SharedRateLimits, RateLimitGuard] })
export class RateLimitModule {}
