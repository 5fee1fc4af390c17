import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { PIP_STATUSES, PipStatus } from '@steward/domain';
import { PageQueryDto } from '../../common/validation';

export class ListPipsDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: PIP_STATUSES })
  @IsOptional()
  @IsIn(PIP_STATUSES)
  status?: PipStatus;

  @ApiPropertyOptional()
  @IsOptional()
  @Matches(/^[A-Za-z0-9._-]{1,64}$/, { message: 'employeeId must be a directory user id' })
  employeeId?: string;
}
