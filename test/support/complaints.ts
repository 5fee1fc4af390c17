import { writeTempFile } from './temp-file';
import type { Steward } from './steward';

/** Helpers for the complaint e2e specs (they drive the real API over HTTP). */

/** Agents of the service team: who can own a complaint. */
export const SERVICE_AGENTS = ['lena', 'sam', 'tina'] as const;

/** Statuses in which a complaint counts towards its owner's load. */
export const OPEN_STATUSES = ['open', 'in_progress', 'awaiting_customer', 'pending_compensation_approval'] as const;

export interface ComplaintBody {
  customer: { id: string; name: string; tier: 'A' | 'B' | 'C' };
  channel: 'phone' | 'email' | 'chat' | 'social' | 'web';
  subject: string;
  description: string;
  severity: 'low' | 'medium' | 'high' | 'critical';
}

/** A valid intake: a tier B customer by email, medium severity (P3). */
export function complaintBody(overrides: Partial<ComplaintBody> = {}): ComplaintBody {
  return {
    customer: { id: 'C-2001', name: 'Globex Ltd', tier: 'B' },
    channel: 'email',
    subject: 'Delivery arrived damaged',
    description: 'The parcel of order 7781 arrived with a crushed corner',
    severity: 'medium',
    ...overrides,
  };
}

export interface ClockView {
  status: 'running' | 'paused' | 'met' | 'breached';
  targetAt: string | null;
  remainingMs: number;
  budgetMs: number;
  spentMs: number;
  breachedAt: string | null;
  doneAt: string | null;
}

export interface ComplaintView {
  id: string;
  status: string;
  priority: string;
  severity: string;
  ownerId: string;
  team: string;
  escalationLevel: number;
  breached: boolean;
  reopenCount: number;
  createdAt: string;
  updatedAt: string;
  resolvedAt: string | null;
  workflowId: string;
  sla: { firstResponse: ClockView; update: ClockView | null; resolution: ClockView };
  resolution: { summary: string; by: string; compensation: { amount: number; currency: string; status: string } | null } | null;
  [key: string]: unknown;
}

/** Opens a complaint as `userId` and expects 201. */
export async function openComplaint(s: Steward, userId: string, overrides: Partial<ComplaintBody> = {}): Promise<ComplaintView> {
  const res = await s.http.post('/complaints').set(s.as(userId)).send(complaintBody(overrides));
  if (res.status !== 201) throw new Error(`open as ${userId} answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body as ComplaintView;
}

/** POST /complaints/:id/<action> as `userId`, expecting 200. */
export async function act(s: Steward, id: string, action: string, userId: string, body: object = {}): Promise<ComplaintView> {
  const res = await s.http.post(`/complaints/${id}/${action}`).set(s.as(userId)).send(body);
  if (res.status !== 200) throw new Error(`${action} by ${userId} answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body as ComplaintView;
}

export async function getComplaint(s: Steward, id: string, userId = 'audrey'): Promise<ComplaintView> {
  return (await s.http.get(`/complaints/${id}`).set(s.as(userId)).expect(200)).body as ComplaintView;
}

export interface ComplaintAuditItem {
  seq: number;
  at: string;
  actorId: string;
  action: string;
  fromStatus: string | null;
  toStatus: string | null;
  data: Record<string, unknown>;
}

export async function complaintAudit(s: Steward, id: string, userId = 'audrey'): Promise<ComplaintAuditItem[]> {
  return (await s.http.get(`/complaints/${id}/audit`).set(s.as(userId)).expect(200)).body.items as ComplaintAuditItem[];
}

/** Every page of GET /complaints?<query> as `userId`, following nextCursor. */
export async function listAll(s: Steward, query: string, userId = 'audrey', limit = 200): Promise<ComplaintView[]> {
  const items: ComplaintView[] = [];
  let cursor: string | null = null;
  do {
    const url = `/complaints?${query}${query ? '&' : ''}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const page = (await s.http.get(url).set(s.as(userId)).expect(200)).body as { items: ComplaintView[]; nextCursor: string | null };
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

/** Each agent's open complaints (what the least-loaded rule counts), read through the list filters. */
export async function openLoad(s: Steward): Promise<Record<string, number>> {
  const load: Record<string, number> = {};
  for (const agent of SERVICE_AGENTS) {
    const counts = await Promise.all(OPEN_STATUSES.map(async (status) => (await listAll(s, `ownerId=${agent}&status=${status}`)).length));
    load[agent] = counts.reduce((a, b) => a + b, 0);
  }
  return load;
}

/** The contract's error body and a 400 naming fields: shared by every spec (see ./access). */
export { expectError, expectInvalid } from './access';

export interface PolicyFile {
  calendars: Record<string, unknown>;
  priorities: Record<string, { calendar: string; firstResponse: string; update: string; resolution: string }>;
  escalation: { at: number; action: 'warn' | 'escalate'; to: 'owner' | 'team_lead' | 'supervisor' | 'manager' }[];
}

/** The contract's ladder: warn the owner, then team lead, supervisor and manager at 1x, 1.5x and 2x. */
export function ladder(warnAt = 0.75): PolicyFile['escalation'] {
  return [
    { at: warnAt, action: 'warn', to: 'owner' },
    { at: 1.0, action: 'escalate', to: 'team_lead' },
    { at: 1.5, action: 'escalate', to: 'supervisor' },
    { at: 2.0, action: 'escalate', to: 'manager' },
  ];
}

/** Writes an SLA policy file to a fresh temp directory and returns its path: JSON of `policy`, or a string as is. */
export function writePolicyFile(policy: unknown): string {
  return writeTempFile('steward-sla-', 'sla-policies.json', typeof policy === 'string' ? policy : JSON.stringify(policy, null, 2));
}
