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

  @Column({ name: 'owner_id', type: 'text', nullable: true })
  ownerId: string | null;

  @Column({ type: 'text', nullable: true })
  priority: string | null;

  @Column({ type: 'boolean', nullable: true })
  breached: boolean | null;

  /** Everyone with a part in the case; they may read it and its audit trail. */
  @Column({ type: 'text', array: true })
  participants: string[];

  @Column({ type: 'jsonb' })
  view: Record<string, unknown>;

  /** Increases with every commit from the workflow so a late retry never overwrites newer state. */
  @Column({ type: 'integer' })
  version: number;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
