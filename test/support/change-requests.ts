import { JwtService } from '@nestjs/jwt';
import type { Response } from 'supertest';
import type { Steward } from './steward';

/** Small helpers shared by the change-request e2e specs (they drive the real API over HTTP). */

export const hoursFromNow = (h: number): string => new Date(Date.now() + h * 3600_000).toISOString();

export interface ChangeBody {
  title: string;
  description: string;
  type: 'standard' | 'normal' | 'emergency';
  probability: 'low' | 'medium' | 'high';
  impact: 'low' | 'medium' | 'high';
  affectedSystems: string[];
  plannedStart: string;
  plannedEnd: string;
  rollbackPlan: string;
  implementerId: string;
}

/** A valid submission: normal, low risk (manager approval only), window already open, ivan implements. */
export function changeBody(overrides: Partial<ChangeBody> = {}): ChangeBody {
  return {
    title: 'Rotate TLS certificates',
    description: 'Renew the edge certificates',
    type: 'normal',
    probability: 'low',
    impact: 'medium',
    affectedSystems: ['edge'],
    plannedStart: hoursFromNow(-1),
    plannedEnd: hoursFromNow(2),
    rollbackPlan: 'Restore the old certificates',
    implementerId: 'ivan',
    ...overrides,
  };
}

/** Risk levels by probability x impact, for readable submissions. */
export const RISK = {
  low: { probability: 'low', impact: 'medium' },
  medium: { probability: 'medium', impact: 'medium' },
  high: { probability: 'high', impact: 'medium' },
  very_high: { probability: 'high', impact: 'high' },
  very_low: { probability: 'low', impact: 'low' },
} as const;

export interface ChangeView {
  id: string;
  status: string;
  riskLevel: string;
  requesterId: string;
  implementerId: string;
  currentLevel: string | null;
  revision: number;
  workflowId: string;
  approvalLevels: {
    name: string;
    rule: string;
    required: number;
    approvers: string[];
    decisions: { approverId: string; decision: string; comment: string | null; onBehalfOf: string | null }[];
    escalations: { from: string; to: string }[];
    /** Seats handed to a delegate as the level opened; absent when nobody had delegated. */
    delegations?: { from: string; to: string; at: string }[];
    status: string;
  }[];
  previousRounds: unknown[][];
  [key: string]: unknown;
}

export interface AuditItem {
  seq: number;
  actorId: string;
  action: string;
  fromStatus: string | null;
  toStatus: string | null;
  data: Record<string, unknown>;
}

export interface TaskItem {
  id: string;
  caseType: string;
  caseId: string;
  kind: string;
  title: string;
}

export interface NotificationItem {
  id: string;
  caseType: string;
  caseId: string;
  kind: string;
  message: string;
  createdAt: string;
  readAt: string | null;
}

/** Submits a change as `userId` and expects 201. */
export async function submitChange(s: Steward, userId: string, overrides: Partial<ChangeBody> = {}): Promise<ChangeView> {
  const res = await s.http.post('/change-requests').set(s.as(userId)).send(changeBody(overrides));
  if (res.status !== 201) throw new Error(`submit as ${userId} answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body as ChangeView;
}

/** Posts a decision and expects 200. */
export async function decide(
  s: Steward,
  id: string,
  userId: string,
  decision: 'approve' | 'reject' | 'request_changes' = 'approve',
  comment?: string,
): Promise<ChangeView> {
  const res = await s.http
    .post(`/change-requests/${id}/decisions`)
    .set(s.as(userId))
    .send(comment === undefined ? { decision } : { decision, comment });
  if (res.status !== 200) throw new Error(`decision ${decision} by ${userId} answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body as ChangeView;
}

export async function tasksOf(s: Steward, userId: string): Promise<TaskItem[]> {
  return (await s.http.get('/tasks').set(s.as(userId)).expect(200)).body as TaskItem[];
}

/** The newest 200 notifications of `userId`; `query` like `?unread=true`. */
export async function notificationsOf(s: Steward, userId: string, query = ''): Promise<NotificationItem[]> {
  const url = `/notifications${query}${query ? '&' : '?'}limit=200`;
  return (await s.http.get(url).set(s.as(userId)).expect(200)).body.items as NotificationItem[];
}

export async function auditOf(s: Steward, id: string, userId = 'audrey'): Promise<AuditItem[]> {
  return (await s.http.get(`/change-requests/${id}/audit`).set(s.as(userId)).expect(200)).body.items as AuditItem[];
}

/** Fields named in a 400's details. */
export const detailFields = (res: Response): string[] => (res.body.details as { field: string }[]).map((d) => d.field);

/** Tokens the API must refuse. */
export const badTokens = {
  wrongSecret: (userId: string) => new JwtService({ secret: 'some-other-secret-of-16+-chars' }).sign({ sub: userId }, { algorithm: 'HS256', expiresIn: 3600 }),
  expired: (userId: string, secret: string) =>
    new JwtService({ secret }).sign({ sub: userId, exp: Math.floor(Date.now() / 1000) - 60 }, { algorithm: 'HS256' }),
  unknownUser: (secret: string) => new JwtService({ secret }).sign({ sub: 'nobody-here' }, { algorithm: 'HS256', expiresIn: 3600 }),
};

/** Polling with a deadline lives in ./wait; re-exported here for the specs that import it from this file. */
export { eventually } from './wait';
