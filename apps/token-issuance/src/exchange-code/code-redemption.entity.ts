import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One code redemption per connect session, committed before the token request leaves: a redelivered
 * or duplicated CodeReceived finds it and never presents the code twice.
 */
@Entity({ name: 'code_redemptions' })
export class CodeRedemptionEntity {
  @PrimaryColumn({ name: 'session_id', type: 'uuid' }) sessionId: string;
  @Column({ name: 'connection_id', type: 'uuid' }) connectionId: string;
  @Column({ name: 'event_id', type: 'uuid' }) eventId: string;
  @Column({ type: 'text' }) status: 'redeeming' | 'succeeded' | 'failed';
  @Column({ name: 'error_code', type: 'text', nullable: true }) errorCode: string | null;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true }) finishedAt: Date | null;
}
