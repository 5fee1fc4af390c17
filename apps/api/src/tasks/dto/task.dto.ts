import { ApiProperty } from '@nestjs/swagger';
import type { HumanTaskEntity } from '@steward/persistence';

/** One open human task: what the assignee is asked to do, on which case, by when. */
export class TaskResponseDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'change_request', description: 'change_request, complaint, approval_request, pip or crisis' })
  caseType: string;

  @ApiProperty({ format: 'uuid' })
  caseId: string;

  @ApiProperty({ example: 'approve_change', description: 'the action wanted' })
  kind: string;

  @ApiProperty()
  title: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  dueAt: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ type: String, nullable: true, description: 'the delegator, when the task came to you as their delegate' })
  onBehalfOf: string | null;
}

export function mapTask(t: HumanTaskEntity): TaskResponseDto {
  return {
    id: t.id,
    caseType: t.caseType,
    caseId: t.caseId,
    kind: t.kind,
    title: t.title,
    dueAt: t.dueAt?.toISOString() ?? null,
    createdAt: t.createdAt.toISOString(),
    onBehalfOf: t.onBehalfOf,
  };
}
