import 'reflect-metadata';
import { runMain } from '@cb/service-runtime';
import { startTokenIssuance } from './token-issuance.app';

runMain(() => startTokenIssuance());
