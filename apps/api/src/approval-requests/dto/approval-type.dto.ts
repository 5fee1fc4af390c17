import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { ApprovalType, FieldSpec, RequestRouteLevel } from '@steward/domain';
import { FIELD_TYPES } from '@steward/domain';

export class FieldSpecDto {
  @ApiProperty({ enum: FIELD_TYPES }) type: string;
  @ApiPropertyOptional() label?: string;
  @ApiPropertyOptional() description?: string;
  @ApiProperty() required: boolean;
  @ApiPropertyOptional() maxLength?: number;
  @ApiPropertyOptional() min?: number;
  @ApiPropertyOptional() max?: number;
  @ApiPropertyOptional({ type: [String] }) values?: string[];
  @ApiPropertyOptional({ type: [String] }) currencies?: string[];
}

class RouteLevelDto {
  @ApiProperty() name: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'JSON Logic over the fields; the level applies when it holds' })
  when?: RequestRouteLevel['when'];
  @ApiProperty({ example: 'requester.manager' }) approvers: string;
  @ApiProperty({ enum: ['any', 'all', 'n_of_m'] }) rule: string;
  @ApiPropertyOptional() n?: number;
  @ApiPropertyOptional({ example: 'P3D' }) timeout?: string;
  @ApiPropertyOptional({ enum: ['escalate', 'approve', 'reject'] }) onTimeout?: string;
}

export class ApprovalTypeDto {
  @ApiProperty({ example: 'purchase', description: 'The name to submit as `type`' }) type: string;
  @ApiProperty() title: string;
  @ApiPropertyOptional() description?: string;
  @ApiProperty({ type: 'object', additionalProperties: { $ref: '#/components/schemas/FieldSpecDto' } }) fields: Record<string, FieldSpecDto>;
  @ApiProperty({ type: [RouteLevelDto] }) route: RouteLevelDto[];
  @ApiPropertyOptional({ example: 'role:finance' }) fulfil?: string;
}

export class ApprovalTypeListDto {
  @ApiProperty({ type: [ApprovalTypeDto] }) items: ApprovalTypeDto[];
  @ApiProperty({ nullable: true, type: String, description: 'Always null: every type is listed' }) nextCursor: null;
}

const mapField = (f: FieldSpec): FieldSpecDto => ({ ...f, required: f.required ?? false });

export function mapApprovalType(type: string, t: ApprovalType): ApprovalTypeDto {
  return {
    type,
    title: t.title,
    ...(t.description ? { description: t.description } : {}),
    fields: Object.fromEntries(Object.entries(t.fields).map(([name, f]) => [name, mapField(f)])),
    route: t.route.map((l) => ({ ...l })),
    ...(t.fulfil ? { fulfil: t.fulfil } : {}),
  };
}
