import {
  auditOf,
  ChangeView,
  decide,
  notificationsOf,
  NotificationItem,
  RISK,
  submitChange,
  tasksOf,
} from '../support/change-requests';
import { startSteward, Steward } from '../support/steward';

/** The approval routes and the life of a change after approval, as the people involved see them over HTTP. */

// Booting the API and bundling the worker's workflows takes a few seconds on a busy machine.
jest.setTimeout(60_000);

describe('change request flows', () => {
  let s: Steward;
  beforeAll(async () => {
    s = await startSteward();
  });
  afterAll(() => s.close());

  const view = async (id: string, userId = 'audrey'): Promise<ChangeView> =>
    (await s.http.get(`/change-requests/${id}`).set(s.as(userId)).expect(200)).body as ChangeView;
  const openApprovals = async (userId: string, caseId: string) =>
    (await tasksOf(s, userId)).filter((t) => t.caseId === caseId && t.kind === 'approve_change');
  const implement = (id: string, event: 'started' | 'completed' | 'failed', note?: string) =>
    s.http.post(`/change-requests/${id}/implementation`).set(s.as('ivan')).send(note ? { event, note } : { event }).expect(200);

  describe('normal changes: the risk-based approval route', () => {
    it('routes a high-risk change to the manager, then to the CAB, which needs two distinct approvals', async () => {
      const change = await submitChange(s, 'alice', { title: 'Migrate the billing database', ...RISK.high });
      expect(change).toMatchObject({ status: 'pending_approval', riskLevel: 'high', currentLevel: 'manager' });
      expect(change.approvalLevels).toEqual([
        expect.objectContaining({ name: 'manager', rule: 'any', approvers: ['bob'], status: 'pending' }),
        expect.objectContaining({ name: 'cab', rule: 'n_of_m', required: 2, approvers: ['carol', 'dave', 'erin'], status: 'waiting' }),
      ]);
      expect(await openApprovals('carol', change.id)).toEqual([]);

      const afterManager = await decide(s, change.id, 'bob');
      expect(afterManager).toMatchObject({ status: 'pending_approval', currentLevel: 'cab' });
      expect(afterManager.approvalLevels.map((l) => l.status)).toEqual(['approved', 'pending']);
      for (const member of ['carol', 'dave', 'erin']) expect(await openApprovals(member, change.id)).toHaveLength(1);
      expect(await openApprovals('bob', change.id)).toEqual([]);

      const afterOne = await decide(s, change.id, 'carol', 'approve', 'fine by me');
      expect(afterOne).toMatchObject({ status: 'pending_approval', currentLevel: 'cab' });
      expect(afterOne.approvalLevels[1]).toMatchObject({ status: 'pending', decisions: [expect.objectContaining({ approverId: 'carol', decision: 'approve' })] });
      expect(await openApprovals('carol', change.id)).toEqual([]);

      // The same member approving twice is not a second approval.
      const again = await s.http.post(`/change-requests/${change.id}/decisions`).set(s.as('carol')).send({ decision: 'approve' });
      expect(again.status).toBe(409);
      expect((await view(change.id)).status).toBe('pending_approval');

      const approved = await decide(s, change.id, 'dave');
      expect(approved).toMatchObject({ status: 'scheduled', currentLevel: null });
      expect(approved.approvalLevels.map((l) => l.status)).toEqual(['approved', 'approved']);
      expect(approved.approvalLevels[1].decisions.map((d) => d.approverId)).toEqual(['carol', 'dave']);
      expect(await openApprovals('erin', change.id)).toEqual([]);
      expect(await tasksOf(s, 'ivan')).toContainEqual(expect.objectContaining({ caseId: change.id, kind: 'implement_change' }));

      const decisions = (await auditOf(s, change.id)).filter((e) => e.action === 'approval_decision');
      expect(decisions.map((e) => [e.actorId, e.data.level])).toEqual([
        ['bob', 'manager'],
        ['carol', 'cab'],
        ['dave', 'cab'],
      ]);
    });

    it('adds an executive level for a very-high-risk change', async () => {
      const change = await submitChange(s, 'alice', { title: 'Replace the core router', ...RISK.very_high });
      expect(change.riskLevel).toBe('very_high');
      expect(change.approvalLevels.map((l) => l.name)).toEqual(['manager', 'cab', 'executive']);
      expect(change.approvalLevels[2]).toMatchObject({ rule: 'any', approvers: ['grace'], status: 'waiting' });

      await decide(s, change.id, 'bob');
      await decide(s, change.id, 'erin');
      const atExecutive = await decide(s, change.id, 'carol');
      expect(atExecutive).toMatchObject({ status: 'pending_approval', currentLevel: 'executive' });
      expect(await openApprovals('grace', change.id)).toHaveLength(1);

      const approved = await decide(s, change.id, 'grace');
      expect(approved).toMatchObject({ status: 'scheduled', currentLevel: null });
      expect(approved.approvalLevels.map((l) => l.status)).toEqual(['approved', 'approved', 'approved']);
    });

    it('sends the change back on request_changes; the revision restarts approval at level 1 as revision 2', async () => {
      const change = await submitChange(s, 'alice', { title: 'Tune the cache', ...RISK.low });
      const sentBack = await decide(s, change.id, 'bob', 'request_changes', 'Add a rollback test');
      expect(sentBack).toMatchObject({ status: 'changes_requested', revision: 1 });
      expect(await tasksOf(s, 'alice')).toContainEqual(expect.objectContaining({ caseId: change.id, kind: 'revise_change' }));
      expect(await notificationsOf(s, 'alice')).toContainEqual(
        expect.objectContaining({ caseId: change.id, kind: 'changes_requested', message: expect.stringContaining('Add a rollback test') }),
      );

      // The revision also raises the risk: the new round has a CAB level.
      const revised = await s.http
        .post(`/change-requests/${change.id}/revisions`)
        .set(s.as('alice'))
        .send({ title: 'Tune the cache (with rollback test)', ...RISK.high })
        .expect(200);
      expect(revised.body).toMatchObject({
        status: 'pending_approval',
        revision: 2,
        currentLevel: 'manager',
        title: 'Tune the cache (with rollback test)',
        riskLevel: 'high',
      });
      expect(revised.body.approvalLevels).toEqual([
        expect.objectContaining({ name: 'manager', approvers: ['bob'], status: 'pending', decisions: [] }),
        expect.objectContaining({ name: 'cab', status: 'waiting', decisions: [] }),
      ]);
      expect(revised.body.previousRounds).toEqual([
        [expect.objectContaining({ name: 'manager', status: 'changes_requested', decisions: [expect.objectContaining({ approverId: 'bob', decision: 'request_changes' })] })],
      ]);
      expect((await tasksOf(s, 'alice')).filter((t) => t.caseId === change.id)).toEqual([]);
      expect(await openApprovals('bob', change.id)).toHaveLength(1);

      const afterManager = await decide(s, change.id, 'bob');
      expect(afterManager).toMatchObject({ status: 'pending_approval', currentLevel: 'cab', revision: 2 });
      const actions = (await auditOf(s, change.id)).map((e) => e.action);
      expect(actions).toContain('change_revised');
    });

    it('rejects the change and tells the requester why', async () => {
      const change = await submitChange(s, 'alice', { title: 'Disable the firewall' });
      const rejected = await decide(s, change.id, 'bob', 'reject', 'Far too risky');
      expect(rejected).toMatchObject({ status: 'rejected', currentLevel: null });
      expect((await view(change.id, 'alice')).status).toBe('rejected');
      const notes = await notificationsOf(s, 'alice');
      expect(notes).toContainEqual(
        expect.objectContaining({ caseId: change.id, caseType: 'change_request', kind: 'change_rejected', message: expect.stringContaining('Far too risky') }),
      );
      expect(await openApprovals('bob', change.id)).toEqual([]);
      // A rejected change takes no more actions.
      const late = await s.http.post(`/change-requests/${change.id}/withdraw`).set(s.as('alice')).send({ reason: 'too late' });
      expect(late.status).toBe(409);
    });

    it('withdraws a pending change: it ends as withdrawn and the approvers lose their approval tasks', async () => {
      const change = await submitChange(s, 'alice', { title: 'Resize the queue', ...RISK.high });
      await decide(s, change.id, 'bob');
      for (const member of ['carol', 'dave', 'erin']) expect(await openApprovals(member, change.id)).toHaveLength(1);

      const withdrawn = await s.http.post(`/change-requests/${change.id}/withdraw`).set(s.as('alice')).send({ reason: 'No longer needed' }).expect(200);
      expect(withdrawn.body).toMatchObject({ status: 'withdrawn', withdrawal: { reason: 'No longer needed' } });
      for (const member of ['carol', 'dave', 'erin']) {
        expect(await openApprovals(member, change.id)).toEqual([]);
        expect(await notificationsOf(s, member)).toContainEqual(expect.objectContaining({ caseId: change.id, kind: 'change_withdrawn' }));
      }
      expect((await tasksOf(s, 'ivan')).filter((t) => t.caseId === change.id)).toEqual([]);
      expect((await view(change.id, 'alice')).status).toBe('withdrawn');
    });
  });

  describe('standard changes', () => {
    it('pre-approves a low-risk standard change: 201 scheduled, approved by system', async () => {
      const res = await s.http
        .post('/change-requests')
        .set(s.as('alice'))
        .send({
          title: 'Restart the report job',
          description: 'Routine restart',
          type: 'standard',
          ...RISK.very_low,
          affectedSystems: ['reports'],
          plannedStart: new Date(Date.now() + 3600_000).toISOString(),
          plannedEnd: new Date(Date.now() + 7200_000).toISOString(),
          rollbackPlan: 'Start it again',
          implementerId: 'ivan',
        })
        .expect(201);
      expect(res.body).toMatchObject({ status: 'scheduled', riskLevel: 'very_low', currentLevel: null });
      expect(res.body.approvalLevels).toEqual([
        expect.objectContaining({
          status: 'approved',
          approvers: ['system'],
          decisions: [expect.objectContaining({ approverId: 'system', decision: 'approve' })],
        }),
      ]);
      expect(await tasksOf(s, 'ivan')).toContainEqual(expect.objectContaining({ caseId: res.body.id, kind: 'implement_change' }));
      const audit = await auditOf(s, res.body.id, 'alice');
      expect(audit.slice(0, 2).map((e) => [e.action, e.actorId, e.toStatus])).toEqual([
        ['change_submitted', 'alice', 'pending_approval'],
        ['change_approved', 'system', 'scheduled'],
      ]);
    });
  });

  describe('emergency changes', () => {
    it('needs one CAB approval and a post-implementation review by the manager before it closes', async () => {
      const change = await submitChange(s, 'alice', { title: 'Patch the zero-day', type: 'emergency', ...RISK.high });
      expect(change).toMatchObject({ status: 'pending_approval', reviewerId: 'bob', review: { required: true } });
      expect(change.approvalLevels).toEqual([expect.objectContaining({ name: 'cab', rule: 'n_of_m', required: 1, approvers: ['carol', 'dave', 'erin'] })]);

      const approved = await decide(s, change.id, 'erin');
      expect(approved.status).toBe('scheduled');
      expect(await openApprovals('carol', change.id)).toEqual([]);
      const early = await s.http.post(`/change-requests/${change.id}/review`).set(s.as('bob')).send({ note: 'too early' });
      expect(early.status).toBe(409);

      await implement(change.id, 'started');
      const done = await implement(change.id, 'completed', 'patched');
      expect(done.body.status).toBe('implemented');
      expect(await tasksOf(s, 'bob')).toContainEqual(expect.objectContaining({ caseId: change.id, kind: 'review_change' }));

      const verified = await s.http.post(`/change-requests/${change.id}/verification`).set(s.as('alice')).send({ outcome: 'verified' }).expect(200);
      expect(verified.body).toMatchObject({ status: 'implemented', verification: { outcome: 'verified', by: 'alice' } });
      expect((await view(change.id)).status).toBe('implemented');

      const notReviewer = await s.http.post(`/change-requests/${change.id}/review`).set(s.as('carol')).send({ note: 'I am not the manager' });
      expect(notReviewer.status).toBe(403);

      const reviewed = await s.http.post(`/change-requests/${change.id}/review`).set(s.as('bob')).send({ note: 'Justified emergency' }).expect(200);
      expect(reviewed.body).toMatchObject({ status: 'closed', review: { required: true, by: 'bob', note: 'Justified emergency' } });
      expect((await tasksOf(s, 'bob')).filter((t) => t.caseId === change.id)).toEqual([]);
      const actions = (await auditOf(s, change.id, 'bob')).map((e) => e.action);
      expect(actions.slice(-3)).toEqual(['change_verified', 'post_implementation_review', 'change_closed']);
    });
  });

  describe('implementation', () => {
    it('marks a failed implementation failed and tells the requester to roll back per plan', async () => {
      const change = await submitChange(s, 'alice', { title: 'Upgrade the kernel', rollbackPlan: 'Boot the previous kernel' });
      await decide(s, change.id, 'bob');
      await implement(change.id, 'started');
      const failed = await implement(change.id, 'failed', 'Kernel panic on boot');
      expect(failed.body).toMatchObject({ status: 'failed', implementation: { note: 'Kernel panic on boot' } });
      expect(failed.body.implementation.failedAt).toEqual(expect.any(String));
      const notes = (await notificationsOf(s, 'alice')).filter((n) => n.caseId === change.id && n.kind === 'change_failed');
      expect(notes).toHaveLength(1);
      expect(notes[0].message).toMatch(/roll ?back/i);
      expect(notes[0].message).toContain('Boot the previous kernel');
      expect(await notificationsOf(s, 'bob')).toContainEqual(expect.objectContaining({ caseId: change.id, kind: 'change_failed' }));
      expect((await tasksOf(s, 'ivan')).filter((t) => t.caseId === change.id)).toEqual([]);
    });
  });

  describe('verification', () => {
    it('marks a change the requester finds broken failed, and closes the verify task', async () => {
      const change = await submitChange(s, 'alice', { title: 'Resize the disks' });
      await decide(s, change.id, 'bob');
      await implement(change.id, 'started');
      await implement(change.id, 'completed', 'resized');
      expect(await tasksOf(s, 'alice')).toContainEqual(expect.objectContaining({ caseId: change.id, kind: 'verify_change' }));

      const res = await s.http
        .post(`/change-requests/${change.id}/verification`)
        .set(s.as('alice'))
        .send({ outcome: 'failed', note: 'Half the volumes are read-only' })
        .expect(200);
      expect(res.body).toMatchObject({ status: 'failed', verification: { outcome: 'failed', by: 'alice', note: 'Half the volumes are read-only' } });
      expect((await view(change.id)).status).toBe('failed');
      expect((await tasksOf(s, 'alice')).filter((t) => t.caseId === change.id)).toEqual([]);
      const last = (await auditOf(s, change.id)).at(-1);
      expect(last).toMatchObject({ actorId: 'alice', fromStatus: 'implemented', toStatus: 'failed' });
      // A failed change takes no more actions.
      const again = await s.http.post(`/change-requests/${change.id}/verification`).set(s.as('alice')).send({ outcome: 'verified' });
      expect(again.status).toBe(409);
    });
  });

  describe('withdrawing a scheduled change', () => {
    it('withdraws an approved change before implementation starts: the implementer loses the task and is told', async () => {
      const change = await submitChange(s, 'alice', { title: 'Rename the queues' });
      const scheduled = await decide(s, change.id, 'bob');
      expect(scheduled.status).toBe('scheduled');
      expect(await tasksOf(s, 'ivan')).toContainEqual(expect.objectContaining({ caseId: change.id, kind: 'implement_change' }));

      const withdrawn = await s.http.post(`/change-requests/${change.id}/withdraw`).set(s.as('alice')).send({ reason: 'Superseded' }).expect(200);
      expect(withdrawn.body).toMatchObject({ status: 'withdrawn', withdrawal: { reason: 'Superseded' } });
      expect((await view(change.id)).status).toBe('withdrawn');
      expect((await tasksOf(s, 'ivan')).filter((t) => t.caseId === change.id)).toEqual([]);
      expect(await notificationsOf(s, 'ivan')).toContainEqual(expect.objectContaining({ caseId: change.id, kind: 'change_withdrawn' }));
      expect((await auditOf(s, change.id)).at(-1)).toMatchObject({ actorId: 'alice', fromStatus: 'scheduled', toStatus: 'withdrawn' });
      // Implementation can no longer start.
      const late = await s.http.post(`/change-requests/${change.id}/implementation`).set(s.as('ivan')).send({ event: 'started' });
      expect(late.status).toBe(409);
    });
  });

  describe('GET /change-requests', () => {
    /** Walks every page of a list; fails on a repeated id. */
    async function listAll(userId: string, query: string, limit = 200): Promise<ChangeView[]> {
      const items: ChangeView[] = [];
      let cursor: string | null = null;
      do {
        const q: string = `${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`;
        const page = await s.http.get(`/change-requests?${q}`).set(s.as(userId)).expect(200);
        items.push(...page.body.items);
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(new Set(items.map((i) => i.id)).size).toBe(items.length);
      return items;
    }

    it('filters by status and by requester', async () => {
      const keep = await submitChange(s, 'alice', { title: 'Filter: stays pending' });
      const gone = await submitChange(s, 'alice', { title: 'Filter: withdrawn' });
      await s.http.post(`/change-requests/${gone.id}/withdraw`).set(s.as('alice')).send({ reason: 'filter test' }).expect(200);
      const carols = await submitChange(s, 'carol', { title: 'Filter: carol asks' });

      const withdrawn = await listAll('alice', 'status=withdrawn&requesterId=alice');
      expect(withdrawn.map((c) => c.id)).toContain(gone.id);
      expect(withdrawn.map((c) => c.id)).not.toContain(keep.id);
      expect(withdrawn.every((c) => c.status === 'withdrawn' && c.requesterId === 'alice')).toBe(true);

      const pending = await listAll('audrey', 'status=pending_approval&requesterId=alice');
      expect(pending.map((c) => c.id)).toContain(keep.id);
      expect(pending.map((c) => c.id)).not.toContain(gone.id);
      expect(pending.every((c) => c.status === 'pending_approval' && c.requesterId === 'alice')).toBe(true);

      const byCarol = await listAll('audrey', 'requesterId=carol');
      expect(byCarol.map((c) => c.id)).toContain(carols.id);
      expect(byCarol.every((c) => c.requesterId === 'carol')).toBe(true);
    });

    it('pages with limit and cursor: newest first, the second page has the rest, no duplicates', async () => {
      // priya (comms) requests changes nowhere else in this file (which has its own database): her list is exactly these three.
      const ids: string[] = [];
      for (const n of [1, 2, 3]) ids.push((await submitChange(s, 'priya', { title: `Page test ${n}` })).id);

      const first = await s.http.get('/change-requests?requesterId=priya&limit=2').set(s.as('audrey')).expect(200);
      expect(first.body.items.map((c: ChangeView) => c.id)).toEqual([ids[2], ids[1]]);
      expect(first.body.nextCursor).toEqual(expect.any(String));

      const second = await s.http.get(`/change-requests?requesterId=priya&limit=2&cursor=${first.body.nextCursor}`).set(s.as('audrey')).expect(200);
      expect(second.body.items.map((c: ChangeView) => c.id)).toEqual([ids[0]]);
      expect(second.body.nextCursor).toBeNull();
    });

    it('shows a participant only the cases they take part in, and the auditor all of them', async () => {
      const alices = await submitChange(s, 'alice', { title: 'Visibility: alice' });
      const priyas = await submitChange(s, 'priya', { title: 'Visibility: priya' });

      const forEve = (await listAll('eve', 'status=pending_approval')).map((c) => c.id);
      expect(forEve).not.toContain(alices.id);
      expect(forEve).not.toContain(priyas.id);

      const forAlice = (await listAll('alice', 'status=pending_approval')).map((c) => c.id);
      expect(forAlice).toContain(alices.id);
      expect(forAlice).not.toContain(priyas.id);

      const forBob = (await listAll('bob', 'status=pending_approval')).map((c) => c.id);
      expect(forBob).toContain(alices.id);
      expect(forBob).not.toContain(priyas.id);

      const forAudrey = (await listAll('audrey', 'status=pending_approval')).map((c) => c.id);
      expect(forAudrey).toEqual(expect.arrayContaining([alices.id, priyas.id]));
    });
  });

  describe('notifications', () => {
    it('lists unread notifications newest first; reading one sets readAt and drops it from unread', async () => {
      const change = await submitChange(s, 'alice', { title: 'Notify me' });
      await decide(s, change.id, 'bob', 'reject', 'Not this quarter');
      const unread = await notificationsOf(s, 'alice', '?unread=true');
      expect(unread.every((n) => n.readAt === null)).toBe(true);
      const times = unread.map((n) => Date.parse(n.createdAt));
      expect(times).toEqual([...times].sort((a, b) => b - a));
      const note = unread.find((n) => n.caseId === change.id && n.kind === 'change_rejected') as NotificationItem;
      expect(note).toBeDefined();

      const read = await s.http.post(`/notifications/${note.id}/read`).set(s.as('alice')).expect(200);
      expect(read.body).toMatchObject({ id: note.id, kind: 'change_rejected', caseId: change.id });
      expect(Date.parse(read.body.readAt)).not.toBeNaN();

      expect((await notificationsOf(s, 'alice', '?unread=true')).map((n) => n.id)).not.toContain(note.id);
      expect(await notificationsOf(s, 'alice', '?unread=false')).toContainEqual(expect.objectContaining({ id: note.id, readAt: read.body.readAt }));
      // Reading it again changes nothing.
      const again = await s.http.post(`/notifications/${note.id}/read`).set(s.as('alice')).expect(200);
      expect(again.body.readAt).toBe(read.body.readAt);
    });

    it("answers 404 to marking someone else's notification read, and leaves it unread", async () => {
      const change = await submitChange(s, 'alice', { title: 'Not yours' });
      const bobs = (await notificationsOf(s, 'bob', '?unread=true')).find((n) => n.caseId === change.id);
      expect(bobs).toMatchObject({ kind: 'approval_requested' });
      const res = await s.http.post(`/notifications/${bobs!.id}/read`).set(s.as('alice'));
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
      expect((await notificationsOf(s, 'bob', '?unread=true')).map((n) => n.id)).toContain(bobs!.id);
    });
  });
});
