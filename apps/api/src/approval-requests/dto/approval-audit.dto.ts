import { ApiProperty } from '@nestjs/swagger';

/** One event of the request's audit trail (the deployment-wide hash chain). */
export class ApprovalAuditEventDto {
  @ApiProperty() seq: number;
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty({ example: 'approval_request' }) caseType: string;
  @ApiProperty({ format: 'uuid' }) caseId: string;
  @ApiProperty({ description: 'A directory user id, or "system" for automatic steps' }) actorId: string;
  @ApiProperty({ example: 'approval_decision' }) action: string;
  @ApiProperty({ nullable: true, type: String }) fromStatus: string | null;
  @ApiProperty({ nullable: true, type: String }) toStatus: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'e.g. level, decision, comment, onBehalfOf' }) data: Record<string, unknown>;
  @ApiProperty() workflowId: string;
  @ApiProperty() runId: string;
  @ApiProperty() prevHash: string;
  @ApiProperty() hash: string;
}

export class ApprovalAuditPageDto {
  @ApiProperty({ type: [ApprovalAuditEventDto] }) items: ApprovalAuditEventDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}
