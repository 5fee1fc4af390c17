import { defaultDirectoryFile, readDirectoryFile } from '@steward/directory';
import { writeTempFile } from './temp-file';
import type { Steward } from './steward';

/** Helpers for the PIP e2e specs (they drive the real API over HTTP). */

/** Every user of the demo directory. */
export const DEMO_USERS: readonly string[] = readDirectoryFile(process.env.DIRECTORY_FILE ?? defaultDirectoryFile()).users.map((u) => u.id);

/** Who may see a plan bob runs for one of his reports: the employee, bob, bob's manager sue, HR, the auditor, the admin. */
export const readersOfBobsPlan = (employeeId: string): string[] => [employeeId, 'bob', 'sue', 'hank', 'audrey', 'root'];

export interface PipBody {
  employeeId: string;
  reason: string;
  goals: { title: string; measure: string; target: string }[];
  resources: string;
  support: string;
  duration: string;
  checkInEvery: string;
}

/** A valid draft: two goals, 60 days, a check-in every 14 days. */
export function pipBody(overrides: Partial<PipBody> = {}): PipBody {
  return {
    employeeId: 'alice',
    reason: 'Missed the Q3 delivery targets',
    goals: [
      { title: 'Ship the billing export', measure: 'Released to production', target: 'By week 4' },
      { title: 'Code review turnaround', measure: 'Median hours to first review', target: 'Under 24 h' },
    ],
    resources: 'Pairing with ivan two afternoons a week',
    support: 'Weekly 1:1 with the manager',
    duration: 'P60D',
    checkInEvery: 'P14D',
    ...overrides,
  };
}

export interface PipLevel {
  name: string;
  approvers: string[];
  status: string;
  decisions: { approverId: string; decision: string }[];
}

export interface PipView {
  id: string;
  workflowId: string;
  status: string;
  employeeId: string;
  managerId: string;
  managersManagerId: string | null;
  goals: PipBody['goals'];
  duration: string;
  checkInEvery: string;
  revision: number;
  approvalLevels: PipLevel[];
  pendingApproval: 'plan' | 'extension' | 'separation' | null;
  approvals: { kind: string; round: number; outcome: string; levels: PipLevel[] }[];
  acknowledgement: { status: string; dueAt: string; comment: string | null; at: string | null } | null;
  startsAt: string | null;
  endsAt: string | null;
  checkIns: { number: number | null; status: string; goals: { index: number; status: string }[] }[];
  nextCheckInAt: string | null;
  midpoint: { dueAt: string; openedAt: string | null; reviews: { by: string; note: string }[] } | null;
  comments: { by: string; note: string }[];
  finalReview: { round: number; dueAt: string; escalatedAt: string | null } | null;
  outcomes: { outcome: string; extension: string | null }[];
  extension: string | null;
  withdrawal: { by: string; reason: string } | null;
  closedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** Drafts a plan as `userId` and expects 201. */
export async function draftPip(s: Steward, userId: string, overrides: Partial<PipBody> = {}, key?: string): Promise<PipView> {
  const req = s.http.post('/pips').set(s.as(userId));
  if (key) req.set('Idempotency-Key', key);
  const res = await req.send(pipBody(overrides));
  if (res.status !== 201) throw new Error(`draft as ${userId} answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body as PipView;
}

/** POST /pips/:id/<action> as `userId`, expecting 200. */
export async function pipAct(s: Steward, id: string, action: string, userId: string, body: object): Promise<PipView> {
  const res = await s.http.post(`/pips/${id}/${action}`).set(s.as(userId)).send(body);
  if (res.status !== 200) throw new Error(`${action} by ${userId} answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body as PipView;
}

export async function getPip(s: Steward, id: string, userId = 'audrey'): Promise<PipView> {
  return (await s.http.get(`/pips/${id}`).set(s.as(userId)).expect(200)).body as PipView;
}

export interface PipAuditItem {
  seq: number;
  actorId: string;
  action: string;
  fromStatus: string | null;
  toStatus: string | null;
  data: Record<string, unknown>;
}

export async function pipAudit(s: Steward, id: string, userId = 'audrey'): Promise<PipAuditItem[]> {
  return (await s.http.get(`/pips/${id}/audit`).set(s.as(userId)).expect(200)).body.items as PipAuditItem[];
}

/** Every page of GET /pips?<query> as `userId`, following nextCursor. */
export async function listPips(s: Steward, query: string, userId: string): Promise<PipView[]> {
  const items: PipView[] = [];
  let cursor: string | null = null;
  do {
    const url = `/pips?${query}${query ? '&' : ''}limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const page = (await s.http.get(url).set(s.as(userId)).expect(200)).body as { items: PipView[]; nextCursor: string | null };
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

/** Writes a PIP policy file to a fresh temp directory and returns its path: JSON of `policy`, or a string as is. */
export function writePipPolicyFile(policy: unknown): string {
  return writeTempFile('steward-pip-', 'pip-policy.json', typeof policy === 'string' ? policy : JSON.stringify(policy, null, 2));
}
