import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, Matches } from 'class-validator';
import { COMPLAINT_STATUSES, ComplaintStatus, Priority, PRIORITIES } from '@steward/domain';
import { PageQueryDto } from '../../common/validation';

export class ListComplaintsDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: COMPLAINT_STATUSES })
  @IsOptional()
  @IsIn(COMPLAINT_STATUSES)
  status?: ComplaintStatus;

  @ApiPropertyOptional({ enum: PRIORITIES })
  @IsOptional()
  @IsIn(PRIORITIES)
  priority?: Priority;

  @ApiPropertyOptional()
  @IsOptional()
  @Matches(/^[A-Za-z0-9._-]{1,64}$/, { message: 'ownerId must be a directory user id' })
  ownerId?: string;

  @ApiPropertyOptional({ description: 'true: only complaints with a breached SLA; false: only those without' })
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsOptional()
  @IsBoolean({ message: 'breached must be true or false' })
  breached?: boolean;
}
