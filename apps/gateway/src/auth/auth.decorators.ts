import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import type { Request } from 'express';
import { PUBLIC_OPERATION } from '../openapi/api-conventions';
import type { ApiKeyScope } from './scopes';
import { unauthorized } from '../gateway.errors';

export const PUBLIC_ROUTE = 'cb:public-route';
export const REQUIRED_SCOPES = 'cb:required-scopes';

/** Who is calling: taken from the API key, never from the request. */
export interface WorkspaceContext {
  workspaceId: string;
  apiKeyId: string;
  scopes: string[];
}

export type RequestWithWorkspace = Request & { workspace?: WorkspaceContext };

/** The route needs no API key (health, OAuth callback, connect dialog). */
export const Public = (): MethodDecorator & ClassDecorator => applyDecorators(SetMetadata(PUBLIC_ROUTE, true), ApiExtension(PUBLIC_OPERATION, true));

/** The key must hold every one of these scopes; otherwise 403 `forbidden` naming the missing ones. */
export const RequireScopes = (...scopes: ApiKeyScope[]): MethodDecorator & ClassDecorator => SetMetadata(REQUIRED_SCOPES, scopes);

/** The caller's workspace, as set by {@link ApiKeyGuard}. */
export const CurrentWorkspace = createParamDecorator((_data: unknown, context: ExecutionContext): WorkspaceContext => {
  const workspace = context.switchToHttp().getRequest<RequestWithWorkspace>().workspace;
  if (!workspace) throw unauthorized();
  return workspace;
});
