import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { RateLimitInterceptor } from './rate-limit.interceptor';
import { SharedRateLimits } from './shared-rate-limits';

/** Rate limits on the routes marked `@RateLimit(…)`, shared by every gateway instance. */
@Module({ providers: [SharedRateLimits, { provide: APP_INTERCEPTOR, useClass: RateLimitInterceptor }] })
export class RateLimitModule {}
