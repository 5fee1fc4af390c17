import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional } from 'class-validator';
import type { NotificationEntity } from '@steward/persistence';
import { PageQueryDto } from '../../common/validation';

export class ListNotificationsDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'true: unread only; false: read only' })
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsOptional()
  @IsBoolean({ message: 'unread must be true or false' })
  unread?: boolean;
}

export class NotificationResponseDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'complaint' })
  caseType: string;

  @ApiProperty({ format: 'uuid' })
  caseId: string;

  @ApiProperty({ example: 'approval_requested' })
  kind: string;

  @ApiProperty()
  message: string;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  readAt: string | null;
}

export function mapNotification(n: NotificationEntity): NotificationResponseDto {
  return {
    id: n.id,
    caseType: n.caseType,
    caseId: n.caseId,
    kind: n.kind,
    message: n.message,
    createdAt: n.createdAt.toISOString(),
    readAt: n.readAt?.toISOString() ?? null,
  };
}
