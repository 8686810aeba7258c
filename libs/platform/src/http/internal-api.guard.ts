import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { AppError } from '../errors/app-error';

export const INTERNAL_TOKEN_HEADER = 'x-internal-token';
/** Provider token for the shared INTERNAL_API_TOKEN value; ServiceRuntimeModule provides it. */
export const INTERNAL_API_TOKEN = Symbol('INTERNAL_API_TOKEN');

/**
 * Guards a back-end service's internal HTTP API, which only the gateway calls. The token is
 * shared configuration (INTERNAL_API_TOKEN); compared in constant time. Use it as
 * `@UseGuards(InternalApiGuard)` in a service whose ServiceRuntimeModule was given the token.
 */
@Injectable()
export class InternalApiGuard implements CanActivate {
  private readonly expected: Buffer;

  constructor(@Inject(INTERNAL_API_TOKEN) token: string) {
    this.expected = digest(token);
  }

  canActivate(context: ExecutionContext): boolean {
    const presented = context.switchToHttp().getRequest<Request>().header(INTERNAL_TOKEN_HEADER) ?? '';
    if (!timingSafeEqual(digest(presented), this.expected)) throw new AppError('unauthorized', 'internal API token missing or wrong', 401);
    return true;
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
