import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';

export const ACTOR_HEADER = 'x-actor';
const ACTOR = /^[a-z_]{1,32}:[A-Za-z0-9-]{1,64}$/;

/**
 * Who asked for a change, as the gateway names the caller (`api_key:<id>`). The internal token
 * already proves the caller is the gateway; a missing or malformed name is recorded as `unknown`.
 */
export const Actor = createParamDecorator((_data: unknown, context: ExecutionContext): string => {
  const named = context.switchToHttp().getRequest<Request>().header(ACTOR_HEADER);
  return named !== undefined && ACTOR.test(named) ? named : 'unknown';
});
