import { InitialSchema1764230400000 } from './1764230400000-initial-schema';
import { AuditAccessAndAppRole1764316800000 } from './1764316800000-audit-access-and-app-role';
import { CaseListColumns1764403200000 } from './1764403200000-case-list-columns';
import { CaseWorkflowIdIndex1764489600000 } from './1764489600000-case-workflow-id-index';
import { CaseKit1764576000000 } from './1764576000000-case-kit';
import { Pip1764662400000 } from './1764662400000-pip';
import { Crisis1764748800000 } from './1764748800000-crisis';
import { ApprovalRequests1764835200000 } from './1764835200000-approval-requests';
import { Delegations1764921600000 } from './1764921600000-delegations';
import { IdempotencyPerCaseType1765008000000 } from './1765008000000-idempotency-per-case-type';
import { AuditAppendFunction1765094400000 } from './1765094400000-audit-append-function';
import { NotificationOutbox1765180800000 } from './1765180800000-notification-outbox';
import { AuditAppendIndexPlans1765267200000 } from './1765267200000-audit-append-index-plans';
import { AuditAppendCases1765353600000 } from './1765353600000-audit-append-cases';

export const MIGRATIONS = [
  InitialSchema1764230400000,
  AuditAccessAndAppRole1764316800000,
  CaseListColumns1764403200000,
  CaseWorkflowIdIndex1764489600000,
  CaseKit1764576000000,
  Pip1764662400000,
  Crisis1764748800000,
  ApprovalRequests1764835200000,
  Delegations1764921600000,
  IdempotencyPerCaseType1765008000000,
  AuditAppendFunction1765094400000,
  NotificationOutbox1765180800000,
  AuditAppendIndexPlans1765267200000,
  AuditAppendCases1765353600000,
];
