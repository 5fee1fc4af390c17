import { FaultClient } from './client';

/**
 * The flows the fault suite drives to the end, whatever happens underneath: a change request (alice submits,
 * bob approves, ivan implements, alice verifies) and a complaint (sam or tina opens it, its owner answers,
 * resolves, records the customer's satisfaction); the topology test adds an approval request (alice asks, bob
 * approves, fiona fulfils). An action retried after a network error or a 5xx may find that its first attempt
 * landed: the 409 it then gets is checked against the case, re-read.
 */

export type FlowKind = 'change_request' | 'complaint' | 'approval_request';

export interface FlowResult {
  kind: FlowKind;
  index: number;
  caseId: string | null;
  /** Who did what, to name the users in the checks (the complaint's owner is chosen by the API). */
  actors: Record<string, string>;
  error: string | null;
  /** Actions whose retry found the first attempt had landed (409, then the case showed it). */
  landedBeforeRetry: number;
}

export const CHANGE_STATUSES = ['pending_approval', 'scheduled', 'in_progress', 'implemented', 'closed'];
export const COMPLAINT_STATUSES = ['open', 'in_progress', 'resolved', 'closed'];
export const APPROVAL_REQUEST_STATUSES = ['pending_approval', 'approved', 'fulfilled'];

export interface Step {
  userId: string;
  path: string;
  body: object;
  reaches: string;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function runSteps(client: FaultClient, base: string, statuses: string[], steps: Step[], think: number[], result: FlowResult, keyPrefix: string): Promise<void> {
  for (const [i, step] of steps.entries()) {
    // Think time between human actions (pacing from the seeded plan), not a synchronisation.
    await sleep(think[i] ?? 0);
    // The same Idempotency-Key on every attempt: a retry attaches to the first attempt's update.
    const answer = await client.send('POST', `${base}${step.path}`, step.userId, step.body, { 'Idempotency-Key': `${keyPrefix}-step-${i}` });
    const target = statuses.indexOf(step.reaches);
    if (answer.status === 200) {
      const status = String(answer.body.status);
      if (statuses.indexOf(status) < target) throw new Error(`${step.path} by ${step.userId} answered 200 with status ${status}, expected ${step.reaches}`);
      continue;
    }
    if (answer.status === 409 && answer.attempts > 1) {
      const view = await client.send('GET', base, 'audrey');
      const status = String(view.body.status);
      if (view.status === 200 && statuses.indexOf(status) >= target) {
        result.landedBeforeRetry += 1;
        continue;
      }
      throw new Error(`${step.path} by ${step.userId}: retry got 409 but the case is ${view.status}/${status}, not ${step.reaches}`);
    }
    throw new Error(`${step.path} by ${step.userId} answered ${answer.status} after ${answer.attempts} attempt(s): ${JSON.stringify(answer.body).slice(0, 300)}`);
  }
}

const hoursFromNow = (h: number): string => new Date(Date.now() + h * 3600_000).toISOString();

export async function changeRequestFlow(client: FaultClient, index: number, seed: number, think: number[]): Promise<FlowResult> {
  const result: FlowResult = { kind: 'change_request', index, caseId: null, actors: { requester: 'alice', manager: 'bob', implementer: 'ivan' }, error: null, landedBeforeRetry: 0 };
  try {
    const submitted = await client.send(
      'POST',
      '/change-requests',
      'alice',
      {
        title: `Fault suite change ${index}`,
        description: 'Submitted while the fault suite kills things',
        type: 'normal',
        probability: 'low',
        impact: 'medium',
        affectedSystems: ['edge'],
        // The window is already open, so approval leads straight to implementation.
        plannedStart: hoursFromNow(-1),
        plannedEnd: hoursFromNow(6),
        rollbackPlan: 'Revert',
        implementerId: 'ivan',
      },
      { 'Idempotency-Key': `faults-${seed}-change-${index}` },
    );
    if (submitted.status !== 201) throw new Error(`submit answered ${submitted.status}: ${JSON.stringify(submitted.body).slice(0, 300)}`);
    result.caseId = String(submitted.body.id);
    await runSteps(
      client,
      `/change-requests/${result.caseId}`,
      CHANGE_STATUSES,
      [
        { userId: 'bob', path: '/decisions', body: { decision: 'approve' }, reaches: 'scheduled' },
        { userId: 'ivan', path: '/implementation', body: { event: 'started' }, reaches: 'in_progress' },
        { userId: 'ivan', path: '/implementation', body: { event: 'completed', note: 'done' }, reaches: 'implemented' },
        { userId: 'alice', path: '/verification', body: { outcome: 'verified' }, reaches: 'closed' },
      ],
      think,
      result,
      `faults-${seed}-change-${index}`,
    );
  } catch (err) {
    result.error = (err as Error).message;
  }
  return result;
}

export async function complaintFlow(client: FaultClient, index: number, seed: number, opener: string, think: number[]): Promise<FlowResult> {
  const result: FlowResult = { kind: 'complaint', index, caseId: null, actors: { opener }, error: null, landedBeforeRetry: 0 };
  try {
    const opened = await client.send(
      'POST',
      '/complaints',
      opener,
      {
        customer: { id: `C-F${index}`, name: `Fault customer ${index}`, tier: 'B' },
        channel: 'email',
        subject: `Fault suite complaint ${index}`,
        description: 'Opened while the fault suite kills things',
        severity: 'medium',
      },
      { 'Idempotency-Key': `faults-${seed}-complaint-${index}` },
    );
    if (opened.status !== 201) throw new Error(`open answered ${opened.status}: ${JSON.stringify(opened.body).slice(0, 300)}`);
    result.caseId = String(opened.body.id);
    const owner = String(opened.body.ownerId);
    // The owner first: when the opener owns the complaint, their duties are the owner's.
    result.actors = { owner, ...result.actors };
    await runSteps(
      client,
      `/complaints/${result.caseId}`,
      COMPLAINT_STATUSES,
      [
        { userId: owner, path: '/responses', body: { message: 'We are on it' }, reaches: 'in_progress' },
        { userId: owner, path: '/resolution', body: { summary: 'Replaced the parcel' }, reaches: 'resolved' },
        { userId: owner, path: '/feedback', body: { satisfied: true, comment: 'thanks' }, reaches: 'closed' },
      ],
      think,
      result,
      `faults-${seed}-complaint-${index}`,
    );
  } catch (err) {
    result.error = (err as Error).message;
  }
  return result;
}

/** A purchase of 700 CNY (the manager's level only): alice submits, bob approves, fiona (finance) fulfils. */
export async function approvalRequestFlow(client: FaultClient, index: number, seed: number, think: number[]): Promise<FlowResult> {
  const result: FlowResult = { kind: 'approval_request', index, caseId: null, actors: { requester: 'alice', manager: 'bob', fulfiller: 'fiona' }, error: null, landedBeforeRetry: 0 };
  try {
    const submitted = await client.send(
      'POST',
      '/approval-requests',
      'alice',
      { type: 'purchase', title: `Topology purchase ${index}`, fields: { amount: { value: 700, currency: 'CNY' }, vendor: 'Lenovo', justification: 'A headset' } },
      { 'Idempotency-Key': `faults-${seed}-approval-${index}` },
    );
    if (submitted.status !== 201) throw new Error(`submit answered ${submitted.status}: ${JSON.stringify(submitted.body).slice(0, 300)}`);
    result.caseId = String(submitted.body.id);
    await runSteps(
      client,
      `/approval-requests/${result.caseId}`,
      APPROVAL_REQUEST_STATUSES,
      [
        { userId: 'bob', path: '/decisions', body: { decision: 'approve', comment: 'Fine' }, reaches: 'approved' },
        { userId: 'fiona', path: '/fulfilment', body: { note: 'Ordered' }, reaches: 'fulfilled' },
      ],
      think,
      result,
      `faults-${seed}-approval-${index}`,
    );
  } catch (err) {
    result.error = (err as Error).message;
  }
  return result;
}
