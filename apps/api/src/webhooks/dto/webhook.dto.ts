import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsIn, IsOptional, IsString, IsUrl, Matches, MaxLength } from 'class-validator';
import { STAKEHOLDER_GROUPS } from '@steward/domain';
import type { OutboxRow, WebhookSubscription } from '@steward/persistence';
import { IsOptionalText, PageQueryDto } from '../../common/validation';

export class CreateWebhookDto {
  @ApiProperty({ example: 'https://hooks.example.com/steward', description: 'http(s) URL that receives signed POSTs' })
  @IsString()
  @MaxLength(2000)
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false }, { message: 'url must be an http(s) URL' })
  url: string;

  @ApiProperty({
    type: [String],
    example: ['approval_requested', 'crisis_statement_published'],
    description: 'Notification kinds (e.g. approval_requested, sla_escalation), `*` for every notification kind, and/or crisis_statement_published',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @ArrayUnique()
  @Matches(/^(\*|[a-z][a-z0-9_]{0,63})$/, { each: true, message: 'each of eventKinds must be a kind such as approval_requested, or *' })
  eventKinds: string[];

  @ApiPropertyOptional({ type: [String], enum: STAKEHOLDER_GROUPS, description: 'For crisis_statement_published: only statements to these groups (default: all)' })
  @IsOptional()
  @IsArray()
  @ArrayUnique()
  @IsIn([...STAKEHOLDER_GROUPS], { each: true, message: `each of audienceGroups must be one of ${STAKEHOLDER_GROUPS.join(', ')}` })
  audienceGroups?: string[];

  @IsOptionalText(500, 'What the receiver is, for the admins who read the list')
  description?: string;
}

export class WebhookResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() url: string;
  @ApiProperty() description: string;
  @ApiProperty({ type: [String] }) eventKinds: string[];
  @ApiProperty({ type: [String], description: 'empty: every stakeholder group' }) audienceGroups: string[];
  @ApiProperty() createdBy: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class CreatedWebhookResponseDto extends WebhookResponseDto {
  @ApiProperty({
    description: 'The signing secret, shown once: verify `Steward-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`',
    example: 'whsec_...',
  })
  secret: string;
}

export class WebhookPageDto {
  @ApiProperty({ type: [WebhookResponseDto] }) items: WebhookResponseDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
}

export class WebhookDeliveryResponseDto {
  @ApiProperty({ format: 'uuid', description: 'The idempotency id: the body `id` and the Idempotency-Key header' }) id: string;
  @ApiProperty({ example: 'approval_requested' }) eventType: string;
  @ApiProperty({ enum: ['pending', 'delivered', 'dead', 'skipped'] }) status: string;
  @ApiProperty() attempts: number;
  @ApiProperty({ type: String, nullable: true }) lastError: string | null;
  @ApiProperty({ type: Number, nullable: true }) lastStatusCode: number | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'when pending: the next attempt' }) nextAttemptAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) deliveredAt: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class WebhookDeliveryPageDto {
  @ApiProperty({ type: [WebhookDeliveryResponseDto] }) items: WebhookDeliveryResponseDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
}

export class ListWebhookDeliveriesDto extends PageQueryDto {}

export function mapWebhook(s: WebhookSubscription): WebhookResponseDto {
  return {
    id: s.id,
    url: s.url,
    description: s.description,
    eventKinds: s.eventKinds,
    audienceGroups: s.audienceGroups,
    createdBy: s.createdBy,
    createdAt: s.createdAt.toISOString(),
  };
}

export function mapDelivery(r: OutboxRow): WebhookDeliveryResponseDto {
  return {
    id: r.id,
    eventType: r.eventType,
    status: r.status,
    attempts: r.attempts,
    lastError: r.lastError,
    lastStatusCode: r.lastStatusCode,
    nextAttemptAt: r.status === 'pending' ? r.nextAttemptAt.toISOString() : null,
    deliveredAt: r.deliveredAt?.toISOString() ?? null,
    createdAt: r.createdAt.toISOString(),
  };
}
