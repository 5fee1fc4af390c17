import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { CHANGE_STATUSES, ChangeStatus } from '@steward/domain';
import { PageQueryDto } from '../../common/validation';

export class ListChangeRequestsDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: CHANGE_STATUSES })
  @IsOptional()
  @IsIn(CHANGE_STATUSES)
  status?: ChangeStatus;

  @ApiPropertyOptional()
  @IsOptional()
  @Matches(/^[A-Za-z0-9._-]{1,64}$/, { message: 'requesterId must be a directory user id' })
  requesterId?: string;
}
