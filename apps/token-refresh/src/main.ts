import 'reflect-metadata';
import { runMain } from '@cb/service-runtime';
import { startTokenRefresh } from './token-refresh.app';

runMain(() => startTokenRefresh());
