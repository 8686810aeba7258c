import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { notFound } from '@cb/platform';
import { isUuid } from './connector.store';

/** A workspace or connector id that is not a UUID names nothing: 404, before any body is looked at. */
@Injectable()
export class WorkspaceParamGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const params = context.switchToHttp().getRequest<Request>().params as Record<string, string | undefined>;
    if (params.workspaceId !== undefined && !isUuid(params.workspaceId)) throw notFound('workspace');
    if (params.id !== undefined && !isUuid(params.id)) throw notFound('connector');
    return true;
  }
}
