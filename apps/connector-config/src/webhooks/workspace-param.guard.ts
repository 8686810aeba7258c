import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { notFound } from '@cb/platform';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A workspace id that is not a UUID names nothing: 404, before any body is looked at. */
@Injectable()
export class WorkspaceParamGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const params = context.switchToHttp().getRequest<Request>().params as Record<string, string | undefined>;
    if (params.workspaceId !== undefined && !UUID.test(params.workspaceId)) throw notFound('workspace');
    return true;
  }
}
