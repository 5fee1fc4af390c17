import { Injectable } from '@nestjs/common';
import { IANAZone } from 'luxon';
import { StewardConfig } from '@steward/config';
import { EMAIL_BY_DEFAULT, NotificationPreferenceRepository } from '@steward/persistence';
import { FieldProblem, StewardErrorCode, StewardException } from '../common/steward.exception';
import { NotificationPreferencesResponseDto, PutNotificationPreferencesDto } from './dto/notification-preferences.dto';

/** Each user's channels per notification kind; read when a commit writes the outbox. */
@Injectable()
export class NotificationPreferencesService {
  constructor(
    private readonly config: StewardConfig,
    private readonly preferences: NotificationPreferenceRepository,
  ) {}

  async get(userId: string): Promise<NotificationPreferencesResponseDto> {
    const [choices, zone] = await Promise.all([this.preferences.choicesOf(userId), this.preferences.timeZoneOf(userId)]);
    return {
      timeZone: zone ?? this.config.NOTIFY_TIME_ZONE,
      timeZoneSource: zone ? 'chosen' : 'default',
      preferences: choices,
      emailByDefault: [...EMAIL_BY_DEFAULT],
    };
  }

  async put(userId: string, dto: PutNotificationPreferencesDto): Promise<NotificationPreferencesResponseDto> {
    const problems: FieldProblem[] = [];
    if (dto.timeZone !== undefined && dto.timeZone !== null && !IANAZone.isValidZone(dto.timeZone)) {
      problems.push({ field: 'timeZone', messages: [`timeZone must be an IANA time zone such as Europe/Paris (got "${dto.timeZone}")`] });
    }
    const seen = new Set<string>();
    dto.preferences.forEach((p, i) => {
      if (seen.has(p.kind)) problems.push({ field: `preferences.${i}.kind`, messages: [`kind ${p.kind} appears twice`] });
      seen.add(p.kind);
      if (!p.channels.includes('in_app')) {
        problems.push({ field: `preferences.${i}.channels`, messages: ['channels must include in_app: the in-app notification is the record and cannot be turned off'] });
      }
    });
    if (problems.length > 0) {
      throw new StewardException(StewardErrorCode.INVALID_INPUT, problems.map((p) => p.messages.join(', ')).join('; '), problems);
    }
    const current = dto.timeZone === undefined ? await this.preferences.timeZoneOf(userId) : dto.timeZone;
    await this.preferences.replace(userId, dto.preferences.map((p) => ({ kind: p.kind, channels: p.channels })), current);
    return this.get(userId);
  }
}
