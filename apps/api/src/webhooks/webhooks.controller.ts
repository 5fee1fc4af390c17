import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { DirectoryUser } from '@steward/directory';
import { CurrentUser } from '../auth/current-user.decorator';
import { UuidParam } from '../common/uuid-param.pipe';
import { PageQueryDto } from '../common/validation';
import {
  CreatedWebhookResponseDto,
  CreateWebhookDto,
  ListWebhookDeliveriesDto,
  WebhookDeliveryPageDto,
  WebhookDeliveryResponseDto,
  WebhookPageDto,
} from './dto/webhook.dto';
import { WebhooksService } from './webhooks.service';

@ApiTags('webhooks')
@ApiBearerAuth()
@Controller('webhooks')
export class WebhooksController {
  constructor(private readonly service: WebhooksService) {}

  @Post()
  @ApiOperation({ summary: 'Subscribe a URL to notification kinds and/or published crisis statements (admin); the signing secret is shown once' })
  @ApiCreatedResponse({ type: CreatedWebhookResponseDto })
  create(@CurrentUser() user: DirectoryUser, @Body() dto: CreateWebhookDto) {
    return this.service.create(user, dto);
  }

  @Get()
  @ApiOperation({ summary: 'Live webhook subscriptions (admin), newest first' })
  @ApiOkResponse({ type: WebhookPageDto })
  list(@CurrentUser() user: DirectoryUser, @Query() page: PageQueryDto) {
    return this.service.list(user, page.limit, page.cursor);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a subscription (admin); what it still had to send is dropped (dead), its log stays' })
  @ApiNoContentResponse()
  delete(@CurrentUser() user: DirectoryUser, @Param('id', UuidParam) id: string) {
    return this.service.delete(user, id);
  }

  @Post(':id/ping')
  @HttpCode(202)
  @ApiOperation({ summary: 'Queue a signed test message (type ping) to the subscription (admin)' })
  @ApiAcceptedResponse({ type: WebhookDeliveryResponseDto })
  ping(@CurrentUser() user: DirectoryUser, @Param('id', UuidParam) id: string) {
    return this.service.ping(user, id);
  }

  @Get(':id/deliveries')
  @ApiOperation({ summary: 'The delivery log of a subscription (admin), newest first' })
  @ApiOkResponse({ type: WebhookDeliveryPageDto })
  deliveries(@CurrentUser() user: DirectoryUser, @Param('id', UuidParam) id: string, @Query() q: ListWebhookDeliveriesDto) {
    return this.service.deliveries(user, id, q);
  }
}
