import { CallHandler, ExecutionContext, Inject, Injectable, NestInterceptor } from '@nestjs/common';
import type { Request } from 'express';
import type { Observable } from 'rxjs';
import { AppError } from '@cb/platform';
import type { RequestWithWorkspace } from '../auth/auth.decorators';
import { GATEWAY_CONFIG, GatewayConfig } from '../gateway.config';
import { RateLimits } from './rate-limit.config';
import { TokenBuckets } from './token-bucket';

interface LimitedRoute {
  limit: keyof RateLimits;
  /** Whose bucket: the caller's workspace (after the key guard) or the client address. */
  key(request: RequestWithWorkspace): string | undefined;
}

const byWorkspace = (request: RequestWithWorkspace): string | undefined => request.workspace?.workspaceId;
const byClientAddress = (request: Request): string | undefined => request.ip ?? request.socket.remoteAddress;

/** By `<method> <route path>` as Express matched it. */
const LIMITED_ROUTES: Record<string, LimitedRoute> = {
  'GET /oauth/callback': { limit: 'callback', key: byClientAddress },
  'POST /v1/connect-sessions': { limit: 'connectSessions', key: byWorkspace },
  'POST /v1/connections/:id/credential': { limit: 'credentialReads', key: byWorkspace },
};

/**
 * Token-bucket limits on the public endpoints that cost the most or are easiest to flood. Runs after
 * the API key guard, so a workspace's bucket is never spent by requests that fail authentication.
 * A refused request is 429 `rate_limited` with `Retry-After`.
 */
@Injectable()
export class RateLimitInterceptor implements NestInterceptor {
  private readonly buckets = new Map<keyof RateLimits, TokenBuckets>();

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig) {
    for (const [name, rule] of Object.entries(config.rateLimits) as Array<[keyof RateLimits, RateLimits[keyof RateLimits]]>) {
      if (rule) this.buckets.set(name, new TokenBuckets(rule));
    }
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<RequestWithWorkspace>();
    const route = LIMITED_ROUTES[`${request.method} ${(request.route as { path?: string } | undefined)?.path ?? ''}`];
    const buckets = route && this.buckets.get(route.limit);
    const key = route?.key(request);
    if (buckets && key !== undefined) {
      const { allowed, retryAfterSeconds } = buckets.take(key);
      if (!allowed) throw new AppError('rate_limited', `too many requests; retry after ${retryAfterSeconds} s`, 429, { retryAfterSeconds }, { retriable: true });
    }
    return next.handle();
  }
}
