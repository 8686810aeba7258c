import 'reflect-metadata';
import { runResealMain } from '@cb/service-runtime';
import { resealConnectorConfig } from './reseal-secrets.command';

runResealMain(resealConnectorConfig);
