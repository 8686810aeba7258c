import { applyDecorators, SetMetadata, UseGuards } from '@nestjs/common';
import { ApiTooManyRequestsResponse } from '@nestjs/swagger';
import { LimitName, LIMITS } from './rate-limit.config';
import { RATE_LIMIT, RateLimitGuard } from './rate-limit.guard';

const OWNER_WORDS = { workspace: "the caller's workspace", clientAddress: "the client's address" } as const;

/**
 * The route spends a token of `limit`'s bucket (see rate-limit.config.ts), after authentication:
 * past the burst it answers 429 `rate_limited` with `Retry-After`, and does nothing. On a
 * controller, every route of it.
 */
export const RateLimit = (limit: LimitName): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(RATE_LIMIT, limit), UseGuards(RateLimitGuard), ApiTooManyRequestsResponse(rateLimitedResponseDoc(limit)));

/** The OpenAPI description of a route's 429 answer. */
export function rateLimitedResponseDoc(limit: LimitName): { description: string; headers: Record<string, { description: string; schema: { type: 'integer'; minimum: number } }> } {
  const { variable, per } = LIMITS[limit];
  return {
    description: `\`rate_limited\`: the bucket of ${OWNER_WORDS[per]} for this route (\`${variable}\`, shared by every gateway instance) is empty; nothing was done. Retry after \`Retry-After\` seconds.`,
    headers: { 'Retry-After': { description: 'Whole seconds until a request would be allowed.', schema: { type: 'integer', minimum: 1 } } },
  };
}
