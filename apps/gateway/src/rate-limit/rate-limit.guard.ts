import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { RequestWithWorkspace } from '../auth/auth.decorators';
import { clientAddressKey } from '../client-address/client-address-key';
import { LimitName, LIMITS } from './rate-limit.config';
import { SharedRateLimits } from './shared-rate-limits';

/** The metadata `@RateLimit(…)` sets: the name of the route's limit. */
export const RATE_LIMIT = 'cb:rate-limit';

/**
 * Spends a token of the bucket a route names with `@RateLimit(…)`: the caller's workspace's, or
 * the client address's (`req.ip`, which follows `TRUSTED_PROXIES`). A route guard, so it runs after
 * the global API key guard and a workspace's bucket is never spent by requests that fail
 * authentication. A refused request is 429 `rate_limited` with `Retry-After`.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly limits: SharedRateLimits,
  ) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const limit = this.reflector.getAllAndOverride<LimitName | undefined>(RATE_LIMIT, [context.getHandler(), context.getClass()]);
    if (limit === undefined) return true;
    const request = context.switchToHttp().getRequest<RequestWithWorkspace>();
    const key = LIMITS[limit].per === 'workspace' ? request.workspace?.workspaceId : clientAddressKey(request.ip ?? request.socket.remoteAddress ?? '');
    if (key === undefined) return true;
    const spent = this.limits.enforce(limit, key);
    return spent instanceof Promise ? spent.then(() => true) : true;
  }
}
