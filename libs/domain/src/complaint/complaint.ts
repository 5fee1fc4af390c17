import type { CustomerTier, Priority, Severity } from '../sla/policy';
import type { SlaClock } from './sla-clock';

export const COMPLAINT_STATUSES = ['open', 'in_progress', 'awaiting_customer', 'pending_compensation_approval', 'resolved', 'closed'] as const;
export type ComplaintStatus = (typeof COMPLAINT_STATUSES)[number];

export const CHANNELS = ['phone', 'email', 'chat', 'social', 'web'] as const;
export type Channel = (typeof CHANNELS)[number];

/** Roles that handle complaints: intake, responses, transfers. */
export const SERVICE_ROLES: readonly string[] = ['agent', 'team_lead', 'supervisor'];
/** Roles that may act on any complaint of their team, not only their own. */
export const SERVICE_LEAD_ROLES: readonly string[] = ['team_lead', 'supervisor'];

export const SLA_CLOCKS = ['firstResponse', 'update', 'resolution'] as const;
export type SlaClockName = (typeof SLA_CLOCKS)[number];

/** Escalation levels on the case: 0 none, then each rung of the ladder that brings someone in. */
export const ESCALATION_LEVELS = { team_lead: 1, supervisor: 2, manager: 3 } as const;

export interface ComplaintIntake {
  customer: { id: string; name: string; tier: CustomerTier };
  channel: Channel;
  subject: string;
  description: string;
  severity: Severity;
}

export interface Compensation {
  amount: number;
  currency: string;
}

export interface ComplaintClocks {
  firstResponse: SlaClock;
  update: SlaClock | null;
  resolution: SlaClock;
}

export type ComplaintPriority = Priority;
