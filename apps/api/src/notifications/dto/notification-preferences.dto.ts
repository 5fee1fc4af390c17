import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayUnique, IsArray, IsIn, IsOptional, IsString, Matches, ValidateIf, ValidateNested } from 'class-validator';
import { USER_CHANNELS } from '@steward/persistence';

export class ChannelChoiceDto {
  @ApiProperty({ example: 'approval_requested' })
  @IsString()
  @Matches(/^[a-z][a-z0-9_]{0,63}$/, { message: 'kind must be a notification kind such as approval_requested' })
  kind: string;

  @ApiProperty({ type: [String], enum: USER_CHANNELS, example: ['in_app', 'email'], description: 'in_app is always on: /notifications is the record' })
  @IsArray()
  @ArrayUnique()
  @IsIn([...USER_CHANNELS], { each: true, message: `each of channels must be one of ${USER_CHANNELS.join(', ')}` })
  channels: string[];
}

export class PutNotificationPreferencesDto {
  @ApiPropertyOptional({ type: String, nullable: true, example: 'Asia/Shanghai', description: 'IANA zone for due times in emails; null: the deployment default' })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsString()
  timeZone?: string | null;

  @ApiProperty({ type: [ChannelChoiceDto], description: 'Replaces every choice; kinds left out follow the defaults' })
  @IsArray()
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => ChannelChoiceDto)
  preferences: ChannelChoiceDto[];
}

export class NotificationPreferencesResponseDto {
  @ApiProperty({ example: 'UTC', description: 'The zone due times are shown in' })
  timeZone: string;

  @ApiProperty({ enum: ['chosen', 'default'] })
  timeZoneSource: 'chosen' | 'default';

  @ApiProperty({ type: [ChannelChoiceDto], description: 'Your own choices' })
  preferences: ChannelChoiceDto[];

  @ApiProperty({ type: [String], description: 'Kinds sent by email + in-app unless you choose otherwise; every other kind is in-app only' })
  emailByDefault: string[];
}
