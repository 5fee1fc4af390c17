import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'human_tasks' })
export class HumanTaskEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  /** Deterministic key from the workflow: a retried commit never opens a task twice. */
  @Column({ name: 'task_key', type: 'text', unique: true })
  taskKey: string;

  @Column({ name: 'case_type', type: 'text' })
  caseType: string;

  @Column({ name: 'case_id', type: 'uuid' })
  caseId: string;

  @Column({ name: 'assignee_id', type: 'text' })
  assigneeId: string;

  @Column({ type: 'text' })
  kind: string;

  @Column({ type: 'text' })
  title: string;

  @Column({ name: 'due_at', type: 'timestamptz', nullable: true })
  dueAt: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt: Date | null;

  @Column({ type: 'text', nullable: true })
  outcome: string | null;

  /** The delegator, when the assignee acts for someone who delegated their approvals. */
  @Column({ name: 'on_behalf_of', type: 'text', nullable: true })
  onBehalfOf: string | null;
}
