import 'reflect-metadata';
import { runMain } from '@cb/service-runtime';
import { startConnectorConfig } from './connector-config.app';

runMain(() => startConnectorConfig());
