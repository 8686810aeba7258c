import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { HealthController } from '@cb/platform';
import { ApiKeyAuthenticator } from './api-key-authenticator';
import { PUBLIC_ROUTE, REQUIRED_SCOPES, RequestWithWorkspace } from './auth.decorators';

/**
 * The gateway's global guard: every route needs a live workspace API key unless marked
 * `@Public()`, and the key must hold the scopes named by `@RequireScopes`.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: ApiKeyAuthenticator,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (context.getClass() === HealthController || this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const request = context.switchToHttp().getRequest<RequestWithWorkspace>();
    const required = this.reflector.getAllAndOverride<string[] | undefined>(REQUIRED_SCOPES, targets) ?? [];
    request.workspace = await this.authenticator.authenticate(request.header('authorization'), required);
    return true;
  }
}
