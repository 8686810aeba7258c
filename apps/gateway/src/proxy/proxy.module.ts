import { Module } from '@nestjs/common';
import { ProxyRoute } from './proxy.route';

/** The proxy: one streaming route, answered ahead of body parsing and Nest's router. */
@Module({ providers: [ProxyRoute], exports: [ProxyRoute] })
export class ProxyModule {}
