import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { fromEnv, type ConfigReader } from '../config/load-config';
import { AppError } from '../errors/app-error';

export const INTERNAL_TOKEN_HEADER = 'x-internal-token';
/** Provider token for the shared INTERNAL_API_TOKEN value; ServiceRuntimeModule provides it. */
export const INTERNAL_API_TOKEN = Symbol('INTERNAL_API_TOKEN');
/** 32 characters: 192 bits as base64url (`openssl rand -base64 24`), beyond any online guessing. */
export const INTERNAL_API_TOKEN_MIN_LENGTH = 32;

/** INTERNAL_API_TOKEN, refused when shorter than {@link INTERNAL_API_TOKEN_MIN_LENGTH} (the message never shows it). */
export const internalApiTokenReader: ConfigReader<string> = fromEnv.parsed('INTERNAL_API_TOKEN', (token) => {
  if (token.length < INTERNAL_API_TOKEN_MIN_LENGTH) throw new Error(`must be at least ${INTERNAL_API_TOKEN_MIN_LENGTH} characters long (it has ${token.length}); generate one with "openssl rand -base64 24"`);
  return token;
});

/** The shared token's check, constant time in the presented value: 401 `unauthorized` when missing or wrong. */
export class InternalTokenCheck {
  private readonly expected: Buffer;

  constructor(token: string) {
    this.expected = digest(token);
  }

  verify(presented: string | undefined): void {
    if (!timingSafeEqual(digest(presented ?? ''), this.expected)) throw new AppError('unauthorized', 'internal API token missing or wrong', 401);
  }
}

/**
 * Guards a back-end service's internal HTTP API, which only the gateway calls. The token is
 * shared configuration (INTERNAL_API_TOKEN); compared in constant time. Use it as
 * `@UseGuards(InternalApiGuard)` in a service whose ServiceRuntimeModule was given the token.
 */
@Injectable()
export class InternalApiGuard implements CanActivate {
  private readonly check: InternalTokenCheck;

  constructor(@Inject(INTERNAL_API_TOKEN) token: string) {
    this.check = new InternalTokenCheck(token);
  }

  canActivate(context: ExecutionContext): boolean {
    this.check.verify(context.switchToHttp().getRequest<Request>().header(INTERNAL_TOKEN_HEADER));
    return true;
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
