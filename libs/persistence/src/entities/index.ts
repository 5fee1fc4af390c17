import { AuditEventEntity } from './audit-event.entity';
import { CaseEntity } from './case.entity';
import { DirectoryTeamEntity } from './directory-team.entity';
import { DirectoryUserEntity } from './directory-user.entity';
import { HumanTaskEntity } from './human-task.entity';
import { IdempotencyKeyEntity } from './idempotency-key.entity';
import { NotificationEntity } from './notification.entity';

export {
  AuditEventEntity,
  CaseEntity,
  DirectoryTeamEntity,
  DirectoryUserEntity,
  HumanTaskEntity,
  IdempotencyKeyEntity,
  NotificationEntity,
};

export const ENTITIES = [
  AuditEventEntity,
  CaseEntity,
  DirectoryTeamEntity,
  DirectoryUserEntity,
  HumanTaskEntity,
  IdempotencyKeyEntity,
  NotificationEntity,
];
