import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { isISO8601, IsISO8601, Matches } from 'class-validator';
import type { Delegation } from '@steward/persistence';
import { IsText, IsUserId } from '../../common/validation';

const ISO_UTC = { strict: true, strictSeparator: true };
const HAS_OFFSET = /(Z|[+-]\d{2}:?\d{2})$/i;

/** An ISO 8601 instant with an explicit offset, normalised to UTC; anything else is left for the validators to refuse. */
function IsInstant(example: string) {
  return applyDecorators(
    ApiProperty({ format: 'date-time', example }),
    Transform(({ value }) => (typeof value === 'string' && isISO8601(value, ISO_UTC) && HAS_OFFSET.test(value) ? new Date(value).toISOString() : value)),
    IsISO8601(ISO_UTC),
    Matches(HAS_OFFSET, { message: '$property must give its time zone (Z or +hh:mm)' }),
  );
}

export class CreateDelegationDto {
  @IsUserId('Directory user who approves in your place while the delegation is in force')
  delegateId: string;

  @IsInstant('2026-12-07T00:00:00Z')
  from: string;

  @IsInstant('2026-12-14T00:00:00Z')
  to: string;

  @IsText(2000, 'Why (annual leave, business trip)')
  reason: string;
}

export class DelegationResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() delegatorId: string;
  @ApiProperty() delegateId: string;
  @ApiProperty({ format: 'date-time' }) from: string;
  @ApiProperty({ format: 'date-time' }) to: string;
  @ApiProperty() reason: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class DelegationPageDto {
  @ApiProperty({ type: [DelegationResponseDto], description: 'Delegations you made and those made to you, by start' }) items: DelegationResponseDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export function mapDelegation(d: Delegation): DelegationResponseDto {
  return { id: d.id, delegatorId: d.delegatorId, delegateId: d.delegateId, from: d.from, to: d.to, reason: d.reason, createdAt: d.createdAt };
}
