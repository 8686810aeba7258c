import 'reflect-metadata';
import { runMain } from '@cb/service-runtime';
import { startGateway } from './gateway.app';

runMain(() => startGateway());
