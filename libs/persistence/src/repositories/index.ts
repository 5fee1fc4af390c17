import { DataSource } from 'typeorm';
import { AuditAccessRepository } from './audit-access.repository';
import { CaseRepository } from './case.repository';
import { ComplaintRepository } from './complaint.repository';
import { IdempotencyRepository } from './idempotency.repository';
import { NotificationRepository } from './notification.repository';
import { TaskRepository } from './task.repository';

export * from './audit-access.repository';
export * from './case.repository';
export * from './complaint.repository';
export * from './idempotency.repository';
export * from './notification.repository';
export * from './task.repository';

/** Every repository, each built on the app's DataSource; the persistence module provides them all. */
export const REPOSITORIES: (new (dataSource: DataSource) => object)[] = [
  AuditAccessRepository,
  CaseRepository,
  ComplaintRepository,
  IdempotencyRepository,
  NotificationRepository,
  TaskRepository,
];
