import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional } from 'class-validator';
import type { DeliveryStatus, NotificationEntity } from '@steward/persistence';
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

  @ApiProperty({ type: () => [NotificationDeliveryDto], description: 'Email delivery of this notification (empty: in-app only)' })
  deliveries: NotificationDeliveryDto[];
}

export class NotificationDeliveryDto {
  @ApiProperty({ enum: ['email'] })
  channel: string;

  @ApiProperty({ enum: ['pending', 'delivered', 'dead', 'skipped'], description: 'skipped: email is off in this deployment; dead: gave up after the retry budget' })
  status: string;

  @ApiProperty()
  attempts: number;

  @ApiProperty({ type: String, nullable: true })
  lastError: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  deliveredAt: string | null;
}

export function mapNotification(n: NotificationEntity, deliveries: DeliveryStatus[] = []): NotificationResponseDto {
  return {
    id: n.id,
    caseType: n.caseType,
    caseId: n.caseId,
    kind: n.kind,
    message: n.message,
    createdAt: n.createdAt.toISOString(),
    readAt: n.readAt?.toISOString() ?? null,
    // The user's own channels only: webhook deliveries are the admins' (GET /webhooks/:id/deliveries).
    deliveries: deliveries
      .filter((d) => d.notificationId === n.id && d.channel === 'email')
      .map((d) => ({ channel: d.channel, status: d.status, attempts: d.attempts, lastError: d.lastError, deliveredAt: d.deliveredAt?.toISOString() ?? null })),
  };
}
