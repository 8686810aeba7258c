import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ConnectionFailed } from '@cb/events';
import { OutboxWriter } from '@cb/messaging';

export interface ConnectAttemptRef {
  sessionId: string;
  connectionId: string;
  workspaceId: string;
  connectorId: string;
  endUserId: string;
}

/** Announces a failed connect attempt; nothing of it is stored in the vault. */
@Injectable()
export class ConnectOutcome {
  constructor(private readonly outbox: OutboxWriter) {}

  async failed(manager: EntityManager, attempt: ConnectAttemptRef, errorCode: string, reason: string): Promise<void> {
    await this.outbox.append(manager, ConnectionFailed, {
      sessionId: attempt.sessionId,
      connectionId: attempt.connectionId,
      workspaceId: attempt.workspaceId,
      connectorId: attempt.connectorId,
      endUserId: attempt.endUserId,
      errorCode,
      reason,
      failedAt: new Date().toISOString(),
    });
  }
}
