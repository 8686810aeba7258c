import 'reflect-metadata';
import { runResealMain } from '@cb/service-runtime';
import { resealTokenIssuance } from './reseal-secrets.command';

runResealMain(resealTokenIssuance);
