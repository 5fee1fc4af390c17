import type { Response } from 'supertest';
import type { Steward } from './steward';

/** Helpers for the approval-request and delegation e2e specs (they drive the real API over HTTP). */

export interface ApprovalLevelView {
  name: string;
  rule: string;
  required: number;
  approvers: string[];
  escalations: { from: string; to: string; at: string }[];
  delegations?: { from: string; to: string; at: string }[];
  decisions: { approverId: string; decision: string; comment: string | null; at: string; onBehalfOf: string | null }[];
  status: string;
  startedAt: string | null;
  decidedAt: string | null;
  timeout?: { after: string; afterMs: number; onTimeout: string };
}

export interface ApprovalRequestView {
  id: string;
  workflowId: string;
  type: string;
  title: string;
  fields: Record<string, unknown>;
  status: string;
  requesterId: string;
  approvalLevels: ApprovalLevelView[];
  previousRounds: ApprovalLevelView[][];
  currentLevel: string | null;
  revision: number;
  decidedAt: string | null;
  decidedBy: string | null;
  fulfilment: { role: string; assignees: string[]; note: string | null; by: string | null; at: string | null } | null;
  createdAt: string;
  updatedAt: string;
}

export interface ApprovalRequestBody {
  type: string;
  title: string;
  fields: Record<string, unknown>;
}

/** A purchase of `value` CNY: manager only up to 10 000, finance above, executive above 100 000. */
export function purchaseBody(value: number, title = 'Five laptops'): ApprovalRequestBody {
  return { type: 'purchase', title, fields: { amount: { value, currency: 'CNY' }, vendor: 'Lenovo', justification: 'Laptops for the new hires' } };
}

export async function submitRequest(s: Steward, userId: string, body: ApprovalRequestBody): Promise<ApprovalRequestView> {
  const res = await s.http.post('/approval-requests').set(s.as(userId)).send(body);
  if (res.status !== 201) throw new Error(`submit by ${userId} answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body as ApprovalRequestView;
}

/** A human action (decisions, revisions, withdraw, fulfilment) that must be accepted. */
export async function actOn(s: Steward, id: string, action: string, userId: string, body: object): Promise<ApprovalRequestView> {
  const res = await s.http.post(`/approval-requests/${id}/${action}`).set(s.as(userId)).send(body);
  if (res.status !== 200) throw new Error(`${action} by ${userId} answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body as ApprovalRequestView;
}

export async function getRequest(s: Steward, id: string, userId = 'audrey'): Promise<ApprovalRequestView> {
  return (await s.http.get(`/approval-requests/${id}`).set(s.as(userId)).expect(200)).body as ApprovalRequestView;
}

export interface DelegationView {
  id: string;
  delegatorId: string;
  delegateId: string;
  from: string;
  to: string;
  reason: string;
}

export async function delegate(s: Steward, userId: string, body: { delegateId: string; from: string; to: string; reason: string }): Promise<DelegationView> {
  const res = await s.http.post('/me/delegations').set(s.as(userId)).send(body);
  if (res.status !== 201) throw new Error(`delegation by ${userId} answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body as DelegationView;
}

export const statusOf = (res: Response) => ({ status: res.status, message: res.body?.message as string | undefined });
