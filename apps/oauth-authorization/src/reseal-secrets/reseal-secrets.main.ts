import 'reflect-metadata';
import { runResealMain } from '@cb/service-runtime';
import { resealOAuthAuthorization } from './reseal-secrets.command';

runResealMain(resealOAuthAuthorization);
