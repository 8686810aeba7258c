export { ApiKeyCache } from './api-key-cache';
export { ApiKeyAuthenticator } from './api-key-authenticator';
export { ApiKeyGuard } from './api-key.guard';
export { Public, RequireScopes, CurrentWorkspace, PUBLIC_ROUTE, REQUIRED_SCOPES } from './auth.decorators';
export type { WorkspaceContext } from './auth.decorators';
export { API_KEY_SCOPES, WORKSPACE_SCOPES } from './scopes';
export type { ApiKeyScope } from './scopes';
