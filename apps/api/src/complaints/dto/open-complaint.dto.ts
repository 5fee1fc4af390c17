import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsObject, Matches, ValidateNested } from 'class-validator';
import { CHANNELS, Channel, CUSTOMER_TIERS, CustomerTier, Severity, SEVERITIES } from '@steward/domain';
import { IsOneOf, IsText } from '../../common/validation';

export class CustomerDto {
  @ApiProperty({ example: 'C-1042' })
  @Matches(/^[A-Za-z0-9._:-]{1,64}$/, { message: 'customer.id must be 1-64 letters, digits or ._:-' })
  id: string;

  @IsText(200)
  name: string;

  @IsOneOf(CUSTOMER_TIERS, 'A: most valuable customers')
  tier: CustomerTier;
}

export class OpenComplaintDto {
  @ApiProperty({ type: CustomerDto })
  @IsObject()
  @ValidateNested()
  @Type(() => CustomerDto)
  customer: CustomerDto;

  @IsOneOf(CHANNELS)
  channel: Channel;

  @IsText(200)
  subject: string;

  @IsText(10_000)
  description: string;

  @IsOneOf(SEVERITIES, 'With the customer tier, picks the priority P1-P4')
  severity: Severity;
}
