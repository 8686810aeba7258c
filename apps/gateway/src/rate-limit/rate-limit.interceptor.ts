import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { from, mergeMap, Observable } from 'rxjs';
import { AppError } from '@cb/platform';
import type { RequestWithWorkspace } from '../auth/auth.decorators';
import { clientAddressKey } from '../client-address/client-address-key';
import { LimitName, LIMITS } from './rate-limit.config';
import { RATE_LIMIT } from './rate-limit.decorator';
import { SharedRateLimits } from './shared-rate-limits';
import type { TakeResult } from './token-bucket';

/**
 * Spends a token of the bucket a route names with `@RateLimit(…)`: the caller's workspace's, or
 * the client address's (`req.ip`, which follows `TRUSTED_PROXIES`). Runs after the API key guard,
 * so a workspace's bucket is never spent by requests that fail authentication. A refused request is
 * 429 `rate_limited` with `Retry-After`.
 */
@Injectable()
export class RateLimitInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly limits: SharedRateLimits,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const limit = this.reflector.getAllAndOverride<LimitName | undefined>(RATE_LIMIT, [context.getHandler(), context.getClass()]);
    if (limit === undefined) return next.handle();
    const request = context.switchToHttp().getRequest<RequestWithWorkspace>();
    const key = LIMITS[limit].per === 'workspace' ? request.workspace?.workspaceId : clientAddressKey(request.ip ?? request.socket.remoteAddress ?? '');
    if (key === undefined) return next.handle();
    const taken = this.limits.take(limit, key);
    if (!(taken instanceof Promise)) {
      refuseUnlessAllowed(taken);
      return next.handle();
    }
    return from(taken).pipe(
      mergeMap((result) => {
        refuseUnlessAllowed(result);
        return next.handle();
      }),
    );
  }
}

function refuseUnlessAllowed({ allowed, retryAfterSeconds }: TakeResult): void {
  if (!allowed) throw new AppError('rate_limited', `too many requests; retry after ${retryAfterSeconds} s`, 429, { retryAfterSeconds }, { retriable: true });
}
