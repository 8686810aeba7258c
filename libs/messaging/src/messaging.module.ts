import { DynamicModule, Module } from '@nestjs/common';
import { MESSAGING_OPTIONS, MessagingOptions } from './messaging-options';
import { OutboxRelay } from './outbox/outbox.relay';
import { OutboxWriter } from './outbox/outbox.writer';

/** Gives a service its outbox writer and starts its relay. Consuming is the InboxKafkaServer transport. */
@Module({})
export class MessagingModule {
  static register(options: MessagingOptions): DynamicModule {
    return {
      module: MessagingModule,
      global: true,
      providers: [{ provide: MESSAGING_OPTIONS, useValue: options }, OutboxWriter, OutboxRelay],
      exports: [MESSAGING_OPTIONS, OutboxWriter, OutboxRelay],
    };
  }
}
