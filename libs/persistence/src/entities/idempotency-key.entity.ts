import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'idempotency_keys' })
export class IdempotencyKeyEntity {
  @PrimaryColumn({ name: 'caller_id', type: 'text' })
  callerId: string;

  @PrimaryColumn({ type: 'text' })
  key: string;

  @PrimaryColumn({ name: 'case_type', type: 'text' })
  caseType: string;

  @Column({ name: 'case_id', type: 'uuid' })
  caseId: string;

  @Column({ name: 'request_hash', type: 'char', length: 64 })
  requestHash: string;

  /** The first response, returned again to a retry with the same key. */
  @Column({ type: 'jsonb' })
  response: object;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
