import { eventually, notificationsOf, tasksOf } from '../support/change-requests';
import { expectError, expectInvalid } from '../support/complaints';
import { draftPip, getPip, pipAct, pipAudit, PipView, writePipPolicyFile } from '../support/pips';
import { startSteward, Steward } from '../support/steward';

/**
 * One plan from draft to separation on the real stack, with a PIP policy in seconds so its timers fire while
 * the test waits: changes requested and revised, no acknowledgement (it starts anyway), a missed check-in, the
 * mid-point review, the final review, one extension, a separation rejected at the second level and then
 * approved by both. lena runs tina's plans (lena's manager is sue; HR is hank). A deadline that passes while
 * no worker runs still fires, from the state, once one is back. And a bad PIP_POLICY_FILE stops the boot.
 */

jest.setTimeout(240_000);

const POLICY = { minDuration: 'PT4S', maxDuration: 'P180D', acknowledgeWithin: 'PT3S', checkInGrace: 'PT2S', maxExtension: 'PT10S', finalReviewWithin: 'PT1H' };
const WAIT = { timeoutMs: 90_000, intervalMs: 300 };

describe('a PIP on live timers', () => {
  let s: Steward;

  beforeAll(async () => {
    s = await startSteward({ PIP_POLICY_FILE: writePipPolicyFile(POLICY) });
  });
  afterAll(() => s?.close());

  /** The plan once `check` holds for it (timers run on the real server). */
  const until = (id: string, check: (p: PipView) => void) =>
    eventually(async () => {
      const p = await getPip(s, id, 'hank');
      check(p);
      return p;
    }, WAIT);

  it('runs from draft through extension to separation, each step audited', async () => {
    let plan = await draftPip(s, 'lena', { employeeId: 'tina', duration: 'PT20S', checkInEvery: 'PT5S' });
    expect(plan).toMatchObject({ status: 'pending_hr_approval', managerId: 'lena', managersManagerId: 'sue', policy: POLICY });

    plan = await pipAct(s, plan.id, 'decisions', 'hank', { decision: 'request_changes', comment: 'Add a goal on documentation' });
    expect(plan.status).toBe('changes_requested');
    expect((await tasksOf(s, 'lena')).filter((t) => t.caseId === plan.id).map((t) => t.kind)).toEqual(['revise_pip']);
    const goals = [...plan.goals, { title: 'Document the runbook', measure: 'Reviewed by lena', target: 'Week 2' }];
    plan = await pipAct(s, plan.id, 'revisions', 'lena', { goals });
    expect(plan).toMatchObject({ status: 'pending_hr_approval', revision: 1, pendingApproval: 'plan' });

    plan = await pipAct(s, plan.id, 'decisions', 'hank', { decision: 'approve', comment: 'Fair plan' });
    expect(plan.status).toBe('awaiting_acknowledgement');
    expect((await tasksOf(s, 'tina')).filter((t) => t.caseId === plan.id).map((t) => t.kind)).toEqual(['acknowledge_pip']);
    plan = await pipAct(s, plan.id, 'comments', 'tina', { note: 'I was never told about the targets' });
    expect(plan.comments).toHaveLength(1);

    // No acknowledgement: the plan starts at the deadline anyway, and HR hears of it.
    const ackDue = plan.acknowledgement!.dueAt;
    plan = await until(plan.id, (p) => expect(p).toMatchObject({ status: 'active', acknowledgement: { status: 'none' }, startsAt: ackDue }));
    expect(Date.parse(plan.endsAt!) - Date.parse(plan.startsAt!)).toBe(20_000);
    // The next scheduled check-in is announced: every 5 s from the start.
    const scheduled = plan.checkIns.filter((c) => c.number !== null).length;
    expect(plan.nextCheckInAt).toBe(new Date(Date.parse(plan.startsAt!) + 5000 * (scheduled + 1)).toISOString());
    expect((await notificationsOf(s, 'hank')).filter((n) => n.caseId === plan.id).map((n) => n.kind)).toContain('pip_not_acknowledged');
    expect((await tasksOf(s, 'tina')).filter((t) => t.caseId === plan.id)).toEqual([]);

    // A check-in falls due every 5 s; one the manager does not record within 2 s is missed and HR gets a task.
    await eventually(async () => expect((await tasksOf(s, 'hank')).filter((t) => t.caseId === plan.id).map((t) => t.kind)).toContain('pip_missed_check_in'), WAIT);
    expect((await getPip(s, plan.id)).checkIns.map((c) => c.status)).toContain('missed');
    // Half-way (10 s) the manager and HR get the mid-point review.
    await eventually(async () => expect((await tasksOf(s, 'hank')).filter((t) => t.caseId === plan.id).map((t) => t.kind)).toContain('pip_midpoint_review'), WAIT);
    plan = await pipAct(s, plan.id, 'midpoint-review', 'hank', { note: 'HR: documentation goal on track' });
    expect(plan.midpoint?.reviews.map((r) => r.by)).toEqual(['hank']);

    // At the end: the manager's final review.
    plan = await until(plan.id, (p) => expect(p).toMatchObject({ status: 'pending_final_review', finalReview: { round: 1 } }));
    expect((await tasksOf(s, 'lena')).filter((t) => t.caseId === plan.id).map((t) => t.kind)).toContain('pip_final_review');
    expectInvalid(await s.http.post(`/pips/${plan.id}/outcome`).set(s.as('lena')).send({ outcome: 'extended', note: 'More time', extension: 'PT20S' }), 'extension');
    expectInvalid(await s.http.post(`/pips/${plan.id}/outcome`).set(s.as('lena')).send({ outcome: 'extended', note: 'More time' }), 'extension');
    const endsAt = plan.endsAt!;
    plan = await pipAct(s, plan.id, 'outcome', 'lena', { outcome: 'extended', note: 'Close: five more seconds', extension: 'PT5S' });
    expect(plan).toMatchObject({ status: 'pending_extension_approval', pendingApproval: 'extension' });
    expectError(await s.http.post(`/pips/${plan.id}/decisions`).set(s.as('lena')).send({ decision: 'approve' }), 403);
    plan = await pipAct(s, plan.id, 'decisions', 'hank', { decision: 'approve' });
    expect(plan).toMatchObject({ status: 'active', extension: 'PT5S', endsAt: new Date(Date.parse(endsAt) + 5000).toISOString() });

    plan = await until(plan.id, (p) => expect(p).toMatchObject({ status: 'pending_final_review', finalReview: { round: 2 } }));
    expectError(await s.http.post(`/pips/${plan.id}/outcome`).set(s.as('lena')).send({ outcome: 'extended', note: 'Again', extension: 'PT5S' }), 409);

    // Failed: HR, then the manager's own manager; never the same person, and a rejection goes back to the review.
    plan = await pipAct(s, plan.id, 'outcome', 'lena', { outcome: 'failed', note: 'Goals not met' });
    expect(plan).toMatchObject({ status: 'pending_separation_approval', pendingApproval: 'separation' });
    expect(plan.approvalLevels.map((l) => [l.name, l.approvers, l.status])).toEqual([
      ['hr', ['hank'], 'pending'],
      ['managers_manager', ['sue'], 'waiting'],
    ]);
    expectError(await s.http.post(`/pips/${plan.id}/decisions`).set(s.as('sue')).send({ decision: 'approve' }), 409);
    plan = await pipAct(s, plan.id, 'decisions', 'hank', { decision: 'approve', comment: 'HR agrees' });
    expect(plan.status).toBe('pending_separation_approval');
    expectError(await s.http.post(`/pips/${plan.id}/decisions`).set(s.as('hank')).send({ decision: 'approve' }), 403);
    plan = await pipAct(s, plan.id, 'decisions', 'sue', { decision: 'reject', comment: 'Try the documentation goal again' });
    expect(plan).toMatchObject({ status: 'pending_final_review', finalReview: { round: 3 } });

    plan = await pipAct(s, plan.id, 'outcome', 'lena', { outcome: 'failed', note: 'Still not met' });
    expect(plan.approvalLevels.map((l) => l.status)).toEqual(['pending', 'waiting']);
    await pipAct(s, plan.id, 'decisions', 'hank', { decision: 'approve' });
    plan = await pipAct(s, plan.id, 'decisions', 'sue', { decision: 'approve', comment: 'Agreed' });
    expect(plan).toMatchObject({ status: 'separated', pendingApproval: null });
    expect(plan.approvals.map((a) => [a.kind, a.outcome])).toEqual([
      ['plan', 'changes_requested'],
      ['plan', 'approved'],
      ['extension', 'approved'],
      ['separation', 'rejected'],
      ['separation', 'approved'],
    ]);
    for (const u of ['tina', 'lena', 'hank', 'sue']) expect((await tasksOf(s, u)).filter((t) => t.caseId === plan.id)).toEqual([]);

    const actions = (await pipAudit(s, plan.id, 'tina')).map((e) => e.action);
    for (const action of [
      'pip_drafted',
      'pip_changes_requested',
      'pip_revised',
      'pip_approved',
      'pip_comment',
      'pip_started_without_acknowledgement',
      'pip_check_in_due',
      'pip_check_in_missed',
      'pip_midpoint_reached',
      'pip_midpoint_review',
      'pip_ended',
      'pip_extension_requested',
      'pip_extension_approved',
      'pip_failed',
      'pip_separation_rejected',
      'pip_separation_approved',
    ]) {
      expect(actions).toContain(action);
    }
    expect(actions.at(-1)).toBe('pip_separation_approved');

    // The plan has ended: a new one for tina may be drafted, and the manager may withdraw it.
    const next = await draftPip(s, 'lena', { employeeId: 'tina' });
    expect((await pipAct(s, next.id, 'withdraw', 'lena', { reason: 'Moved to another team' })).status).toBe('withdrawn');
  });
});

describe('a PIP across a worker restart', () => {
  let s: Steward;

  beforeAll(async () => {
    s = await startSteward({ PIP_POLICY_FILE: writePipPolicyFile(POLICY) });
  });
  afterAll(() => s?.close());

  it('a deadline that passed while no worker ran fires when one is back, from the state: the plan starts at the deadline', async () => {
    // tina's earlier plans in this file have ended (the describes run in order); sam's belong to the access spec.
    let plan = await draftPip(s, 'lena', { employeeId: 'tina', reason: 'Across a restart', duration: 'PT30S', checkInEvery: 'PT20S' });
    plan = await pipAct(s, plan.id, 'decisions', 'hank', { decision: 'approve' });
    const ackDue = plan.acknowledgement!.dueAt;
    await s.stopWorker();
    await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(ackDue) - Date.now()) + 2000));
    expect((await getPip(s, plan.id)).status).toBe('awaiting_acknowledgement');
    await s.startWorker();
    plan = await eventually(async () => {
      const p = await getPip(s, plan.id);
      expect(p).toMatchObject({ status: 'active', acknowledgement: { status: 'none' }, startsAt: ackDue });
      return p;
    }, WAIT);
    expect(Date.parse(plan.endsAt!)).toBe(Date.parse(ackDue) + 30_000);
    expect((await pipAct(s, plan.id, 'withdraw', 'hank', { reason: 'Test over' })).status).toBe('withdrawn');
  });
});

describe('an invalid PIP_POLICY_FILE', () => {
  it('stops the API boot naming the variable and every bad entry', async () => {
    const file = writePipPolicyFile({ minDuration: '30 days', maxDuration: 'P10D', acknowledgeWithin: 'P5D', checkInGrace: 0, finalReviewWithin: 'P5D', maxExtention: 'P30D' });
    const error = await startSteward({ PIP_POLICY_FILE: file }, { worker: false }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ name: 'ConfigError' });
    expect((error as { problems: string[] }).problems).toEqual([
      `PIP_POLICY_FILE ${file}: maxExtention: unknown key; expected one of minDuration, maxDuration, acknowledgeWithin, checkInGrace, maxExtension, finalReviewWithin`,
      `PIP_POLICY_FILE ${file}: minDuration: "30 days" is not an ISO 8601 duration`,
      `PIP_POLICY_FILE ${file}: checkInGrace: expected an ISO 8601 duration such as "P30D", got 0`,
      `PIP_POLICY_FILE ${file}: maxExtension: missing; expected an ISO 8601 duration such as "P30D"`,
    ]);
  });

  it('refuses a file that is not JSON, naming PIP_POLICY_FILE', async () => {
    const file = writePipPolicyFile('{ "minDuration": ');
    await expect(startSteward({ PIP_POLICY_FILE: file }, { worker: false })).rejects.toThrow(/PIP_POLICY_FILE: cannot read/);
  });
});
