import { auditOf, ChangeView, decide, eventually, notificationsOf, RISK, submitChange, tasksOf } from '../support/change-requests';
import { startSteward, Steward } from '../support/steward';

/**
 * Reminders and escalation of stalled approvals, on real timers: reminded after 2 s, escalated to the
 * approver's manager after 4 s. The cases are submitted together up front so their timers run side by side.
 */

// Booting the API and bundling the worker's workflows takes a few seconds on a busy machine.
jest.setTimeout(60_000);

describe('approval reminders and escalation', () => {
  let s: Steward;
  /** alice's change, left to bob until it escalates to sue. */
  let stalled: ChangeView;
  /** alice's change, approved by bob at once. */
  let prompt: ChangeView;
  /** alice's high-risk change; bob approves at once, the CAB stalls. */
  let cab: ChangeView;

  beforeAll(async () => {
    s = await startSteward({ APPROVAL_REMINDER_AFTER: 'PT2S', APPROVAL_ESCALATE_AFTER: 'PT4S' });
    [stalled, prompt, cab] = await Promise.all([
      submitChange(s, 'alice', { title: 'Stalled approval' }),
      submitChange(s, 'alice', { title: 'Prompt approval' }),
      submitChange(s, 'alice', { title: 'Stalled CAB', ...RISK.high }),
    ]);
    await Promise.all([decide(s, prompt.id, 'bob'), decide(s, cab.id, 'bob')]);
  });
  afterAll(() => s.close());

  const view = async (id: string, userId = 'audrey'): Promise<ChangeView> =>
    (await s.http.get(`/change-requests/${id}`).set(s.as(userId)).expect(200)).body as ChangeView;

  it("reminds the pending approver, then makes their manager an approver, and the manager's approval counts", async () => {
    await eventually(async () => {
      expect(await notificationsOf(s, 'bob')).toContainEqual(
        expect.objectContaining({ caseId: stalled.id, kind: 'approval_reminder', message: expect.stringContaining('Stalled approval') }),
      );
    });

    await eventually(async () => {
      expect(await tasksOf(s, 'sue')).toContainEqual(expect.objectContaining({ caseId: stalled.id, kind: 'approve_change' }));
      const level = (await view(stalled.id)).approvalLevels[0];
      expect(level.approvers).toContain('sue');
    });

    const escalated = await view(stalled.id, 'sue');
    expect(escalated).toMatchObject({ status: 'pending_approval', currentLevel: 'manager' });
    expect(escalated.approvalLevels[0]).toMatchObject({ approvers: ['bob', 'sue'], escalations: [expect.objectContaining({ from: 'bob', to: 'sue' })] });
    // bob keeps his task: either of them may decide.
    expect(await tasksOf(s, 'bob')).toContainEqual(expect.objectContaining({ caseId: stalled.id, kind: 'approve_change' }));
    expect(await notificationsOf(s, 'bob')).toContainEqual(expect.objectContaining({ caseId: stalled.id, kind: 'approval_escalated' }));

    const actions = (await auditOf(s, stalled.id)).map((e) => e.action);
    const reminded = actions.indexOf('approval_reminder_sent');
    const escalation = actions.indexOf('approval_escalated');
    expect(reminded).toBeGreaterThan(-1);
    expect(escalation).toBeGreaterThan(reminded);
    expect(actions.filter((a) => a === 'approval_reminder_sent')).toHaveLength(1);
    expect(actions.filter((a) => a === 'approval_escalated')).toHaveLength(1);
    const audit = await auditOf(s, stalled.id);
    expect(audit[reminded]).toMatchObject({ actorId: 'system', data: expect.objectContaining({ level: 'manager', approvers: ['bob'] }) });
    expect(audit[escalation]).toMatchObject({ actorId: 'system', data: expect.objectContaining({ escalations: [expect.objectContaining({ from: 'bob', to: 'sue' })] }) });

    const approved = await decide(s, stalled.id, 'sue');
    expect(approved).toMatchObject({ status: 'scheduled', currentLevel: null });
    expect(approved.approvalLevels[0].decisions).toEqual([expect.objectContaining({ approverId: 'sue', decision: 'approve', onBehalfOf: 'bob' })]);
    expect((await tasksOf(s, 'bob')).filter((t) => t.caseId === stalled.id && t.kind === 'approve_change')).toEqual([]);
    expect((await tasksOf(s, 'sue')).filter((t) => t.caseId === stalled.id)).toEqual([]);
  });

  it('escalates a stalled CAB level to each member\'s manager, once per manager', async () => {
    await eventually(async () => {
      expect((await view(cab.id)).approvalLevels[1].escalations.length).toBeGreaterThan(0);
    });
    const level = (await view(cab.id)).approvalLevels[1];
    expect(level.approvers).toEqual(['carol', 'dave', 'erin', 'mike', 'grace']);
    expect(await tasksOf(s, 'mike')).toContainEqual(expect.objectContaining({ caseId: cab.id, kind: 'approve_change' }));
    expect((await tasksOf(s, 'mike')).filter((t) => t.caseId === cab.id)).toHaveLength(1);
    expect(await tasksOf(s, 'grace')).toContainEqual(expect.objectContaining({ caseId: cab.id, kind: 'approve_change' }));
    for (const member of ['carol', 'dave', 'erin']) {
      expect(await notificationsOf(s, member)).toContainEqual(expect.objectContaining({ caseId: cab.id, kind: 'approval_reminder' }));
    }
  });

  it('neither reminds nor escalates an approval decided in time', async () => {
    // By now the stalled case has escalated, so this one's timers would have fired too.
    await eventually(async () => {
      expect((await auditOf(s, stalled.id)).map((e) => e.action)).toContain('approval_escalated');
    });
    const actions = (await auditOf(s, prompt.id)).map((e) => e.action);
    expect(actions).not.toContain('approval_reminder_sent');
    expect(actions).not.toContain('approval_escalated');
    expect((await notificationsOf(s, 'bob')).filter((n) => n.caseId === prompt.id && n.kind === 'approval_reminder')).toEqual([]);
    expect((await view(prompt.id)).approvalLevels[0].approvers).toEqual(['bob']);
  });
});
