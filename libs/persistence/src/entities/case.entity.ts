import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The read model of one case of any type; `view` is exactly what the API returns for it. */
@Entity({ name: 'cases' })
export class CaseEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'case_type', type: 'text' })
  caseType: string;

  @Column({ type: 'text' })
  status: string;

  @Column({ name: 'workflow_id', type: 'text' })
  workflowId: string;

  @Column({ name: 'requester_id', type: 'text', nullable: true })
  requesterId: string | null;

  /** Everyone with a part in the case; they may read it and its audit trail. */
  @Column({ type: 'text', array: true })
  participants: string[];

  /** Roles whose holders read the case without taking part in it. */
  @Column({ name: 'reader_roles', type: 'text', array: true })
  readerRoles: string[];

  /** The case type's view, exactly as the API shows it. */
  @Column({ type: 'jsonb' })
  view: object;

  /** Increases with every commit from the workflow so a late retry never overwrites newer state. */
  @Column({ type: 'integer' })
  version: number;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
