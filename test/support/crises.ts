import type { Response } from 'supertest';
import { DEFAULT_CRISIS_POLICY } from '@steward/domain';
import { writeTempFile } from './temp-file';
import type { Steward } from './steward';

/**
 * Helpers for the crisis e2e specs (they drive the real API over HTTP). The demo organisation: sue (supervisor)
 * and mike (manager) declare and command, priya is comms, leo legal, grace the executive, audrey the auditor.
 */

export interface CrisisBody {
  title: string;
  description: string;
  severity: 'major' | 'general';
  category: string;
  commanderId: string;
  commsLeadId: string;
  legalId: string;
}

/** A major crisis commanded by mike, priya speaking, leo for legal. */
export function crisisBody(overrides: Partial<CrisisBody> = {}): CrisisBody {
  return {
    title: 'Payment outage',
    description: 'Card payments fail for all customers',
    severity: 'major',
    category: 'operational',
    commanderId: 'mike',
    commsLeadId: 'priya',
    legalId: 'leo',
    ...overrides,
  };
}

export interface NoticeView {
  group: string;
  dueAt: string;
  status: 'pending' | 'sent' | 'overdue';
  sentAt: string | null;
  statementId: string | null;
  overdueAt: string | null;
}

export interface StatementView {
  id: string;
  number: number;
  kind: 'holding' | 'update' | 'final';
  audience: string[];
  text: string;
  status: 'pending_approval' | 'published' | 'rejected';
  draftedBy: string;
  approvers: string[];
  decisions: { approverId: string; decision: string; comment: string | null; at: string }[];
  publishedAt: string | null;
  rejectedAt: string | null;
  crisisId?: string;
  crisisStatus?: string;
}

export interface ActionView {
  id: string;
  title: string;
  ownerId: string;
  dueAt: string;
  status: 'open' | 'done';
  completedAt: string | null;
  crisisId?: string;
  crisisStatus?: string;
}

export interface CrisisView {
  id: string;
  workflowId: string;
  status: 'active' | 'recovering' | 'post_mortem_review' | 'closed';
  severity: 'major' | 'general';
  declaredBy: string;
  commanderId: string;
  commsLeadId: string;
  legalId: string;
  holdingStatementDueAt: string;
  holdingStatementPublishedAt: string | null;
  holdingStatementOverdueAt: string | null;
  notices: NoticeView[];
  statements: StatementView[];
  nextUpdateDueAt: string | null;
  actions: ActionView[];
  postMortem: { status: string; revision: number; lessons: string[] } | null;
  awaiting: string[];
  closedAt: string | null;
  createdAt: string;
  updatedAt: string;
  [key: string]: unknown;
}

const fail = (what: string, res: Response) => new Error(`${what} answered ${res.status}: ${JSON.stringify(res.body)}`);

/** Declares a crisis as `userId` and expects 201. */
export async function declareCrisis(s: Steward, userId = 'sue', overrides: Partial<CrisisBody> = {}): Promise<CrisisView> {
  const res = await s.http.post('/crises').set(s.as(userId)).send(crisisBody(overrides));
  if (res.status !== 201) throw fail(`declare as ${userId}`, res);
  return res.body as CrisisView;
}

/** POST /crises/:id/<path> as `userId`, expecting `status`. */
export async function crisisPost<T = CrisisView>(s: Steward, id: string, path: string, userId: string, body: object, status = 200): Promise<T> {
  const res = await s.http.post(`/crises/${id}/${path}`).set(s.as(userId)).send(body);
  if (res.status !== status) throw fail(`${path} by ${userId}`, res);
  return res.body as T;
}

export function draftStatement(s: Steward, id: string, userId: string, kind: StatementView['kind'], audience: string[], text = `Our ${kind} statement`): Promise<StatementView> {
  return crisisPost<StatementView>(s, id, 'statements', userId, { kind, audience, text }, 201);
}

export function decideStatement(s: Steward, id: string, statementId: string, userId: string, decision: 'approve' | 'reject' = 'approve', comment?: string): Promise<StatementView> {
  return crisisPost<StatementView>(s, id, `statements/${statementId}/decisions`, userId, comment === undefined ? { decision } : { decision, comment });
}

/** Drafted by `drafter`, approved by priya and leo: published. */
export async function publishStatement(s: Steward, id: string, kind: StatementView['kind'], audience: string[], drafter = 'priya'): Promise<StatementView> {
  const drafted = await draftStatement(s, id, drafter, kind, audience);
  await decideStatement(s, id, drafted.id, 'priya');
  const published = await decideStatement(s, id, drafted.id, 'leo');
  if (published.status !== 'published') throw new Error(`statement ${drafted.id} is ${published.status}`);
  return published;
}

export async function getCrisis(s: Steward, id: string, userId = 'audrey'): Promise<CrisisView> {
  return (await s.http.get(`/crises/${id}`).set(s.as(userId)).expect(200)).body as CrisisView;
}

export interface CrisisAuditItem {
  seq: number;
  actorId: string;
  action: string;
  fromStatus: string | null;
  toStatus: string | null;
  data: Record<string, unknown>;
}

export async function crisisAudit(s: Steward, id: string, userId = 'audrey'): Promise<CrisisAuditItem[]> {
  return (await s.http.get(`/crises/${id}/audit`).set(s.as(userId)).expect(200)).body.items as CrisisAuditItem[];
}

/** Writes a crisis policy file to a fresh temp directory: JSON of `policy` (default: the shipped one), or a string as is. */
export function writeCrisisPolicyFile(policy: unknown = DEFAULT_CRISIS_POLICY): string {
  return writeTempFile('steward-crisis-', 'crisis-policy.json', typeof policy === 'string' ? policy : JSON.stringify(policy, null, 2));
}
