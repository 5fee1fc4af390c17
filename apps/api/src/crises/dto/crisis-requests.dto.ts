import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsIn, IsISO8601, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import {
  CRISIS_SEVERITIES,
  CRISIS_STATUSES,
  CrisisSeverity,
  CrisisStatus,
  STAKEHOLDER_GROUPS,
  StakeholderGroup,
  STATEMENT_KINDS,
  StatementKind,
} from '@steward/domain';
import { IsCommentRequiredWhen, IsOneOf, IsOptionalText, IsText, IsUserId, PageQueryDto } from '../../common/validation';

const trimEach = ({ value }: { value: unknown }) => (Array.isArray(value) ? value.map((v) => (typeof v === 'string' ? v.trim() : v)) : value);

/** A comment that is required for one decision (reject, request_changes) and optional otherwise. */
function IsCommentRequiredFor(decision: string) {
  const words = decision.replace('_', ' ');
  return IsCommentRequiredWhen<{ decision?: string }>((o) => o.decision === decision, `Required to ${words}`, `comment is required to ${words}`);
}

export class DeclareCrisisDto {
  @IsText(200)
  title: string;

  @IsText(10_000)
  description: string;

  @IsOneOf(CRISIS_SEVERITIES, 'major (一级/重大) or general (二级/一般): picks the notice deadlines and the update cadence')
  severity: CrisisSeverity;

  @IsText(100, 'e.g. operational, product safety, data breach, reputational')
  category: string;

  @IsUserId('Leads the response: starts recovery, assigns actions, writes the post-mortem')
  commanderId: string;

  @IsUserId('The one voice (role comms): drafts and approves every statement')
  commsLeadId: string;

  @IsUserId('Role legal: approves every statement')
  legalId: string;
}

export class DraftStatementDto {
  @IsOneOf(STATEMENT_KINDS, 'holding: the first word within the holding deadline; update: the regular updates; final: the closing statement')
  kind: StatementKind;

  @ApiProperty({ enum: STAKEHOLDER_GROUPS, isArray: true, description: 'Groups the statement is addressed to; publishing it sends their notices' })
  @IsArray()
  @ArrayMinSize(1, { message: 'audience must name at least one stakeholder group' })
  @ArrayMaxSize(STAKEHOLDER_GROUPS.length)
  @ArrayUnique({ message: 'audience must not name a group twice' })
  @IsIn(STAKEHOLDER_GROUPS, { each: true, message: `audience must contain only ${STAKEHOLDER_GROUPS.join(', ')}` })
  audience: StakeholderGroup[];

  @IsText(20_000, 'The statement as it will be published')
  text: string;
}

export class StatementDecisionDto {
  @IsOneOf(['approve', 'reject'] as const)
  decision: 'approve' | 'reject';

  @IsCommentRequiredFor('reject')
  comment?: string;
}

export class RecoveryDto {
  @IsText(5000, 'What is restored, and what aftercare follows')
  note: string;
}

export class AddActionDto {
  @IsText(500)
  title: string;

  @IsUserId('Any directory user; they get a crisis_action task')
  ownerId: string;

  @ApiProperty({ example: '2026-03-05T10:00:00Z', description: 'ISO 8601, in the future' })
  @IsISO8601({ strict: true }, { message: 'dueAt must be an ISO 8601 date-time' })
  dueAt: string;
}

export class CompleteActionDto {
  @IsOptionalText(5000)
  note?: string;
}

export class PostMortemDto {
  @IsText(10_000)
  summary: string;

  @IsText(10_000)
  rootCause: string;

  @ApiProperty({ type: [String], description: 'At least one lesson' })
  @Transform(trimEach)
  @IsArray()
  @ArrayMinSize(1, { message: 'lessons must list at least one lesson' })
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MinLength(1, { each: true, message: 'lessons must not contain an empty lesson' })
  @MaxLength(2000, { each: true })
  lessons: string[];
}

export class PostMortemDecisionDto {
  @IsOneOf(['approve', 'request_changes'] as const)
  decision: 'approve' | 'request_changes';

  @IsCommentRequiredFor('request_changes')
  comment?: string;
}

export class ListCrisesDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: CRISIS_STATUSES })
  @IsOptional()
  @IsIn(CRISIS_STATUSES)
  status?: CrisisStatus;

  @ApiPropertyOptional({ enum: CRISIS_SEVERITIES })
  @IsOptional()
  @IsIn(CRISIS_SEVERITIES)
  severity?: CrisisSeverity;
}
