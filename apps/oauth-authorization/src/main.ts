import 'reflect-metadata';
import { runMain } from '@cb/service-runtime';
import { startOAuthAuthorization } from './oauth-authorization.app';

runMain(() => startOAuthAuthorization());
