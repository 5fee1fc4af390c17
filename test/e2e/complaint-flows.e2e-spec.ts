import { eventually, notificationsOf, tasksOf } from '../support/change-requests';
import {
  act,
  complaintAudit,
  ComplaintBody,
  ComplaintView,
  getComplaint,
  ladder,
  listAll,
  openComplaint,
  openLoad,
  SERVICE_AGENTS,
  writePolicyFile,
} from '../support/complaints';
import { startSteward, Steward } from '../support/steward';
import { waitFor } from '../support/wait';

/**
 * Complaint flows over HTTP: priority from severity x tier, the least-loaded owner, transfers, priority
 * changes, compensation approval, reopening, list filters and the SLA report.
 *
 * The policy keeps the shipped targets but puts every priority on a 24x7 calendar (so results do not depend
 * on the hour the suite runs), and gives P4 a one-second first response so that reports have a breach.
 */
const HOUR = 3600_000;
const POLICY = {
  calendars: { always: { type: '24x7' } },
  priorities: {
    P1: { calendar: 'always', firstResponse: 'PT15M', update: 'PT1H', resolution: 'PT4H' },
    P2: { calendar: 'always', firstResponse: 'PT1H', update: 'PT4H', resolution: 'PT24H' },
    P3: { calendar: 'always', firstResponse: 'PT4H', update: 'PT8H', resolution: 'PT40H' },
    P4: { calendar: 'always', firstResponse: 'PT1S', update: 'PT16H', resolution: 'PT80H' },
  },
  escalation: ladder(0.75),
};
const FIRST_RESPONSE_MS = { P1: 0.25 * HOUR, P2: HOUR, P3: 4 * HOUR, P4: 1000 };
const RESOLUTION_MS = { P1: 4 * HOUR, P2: 24 * HOUR, P3: 40 * HOUR, P4: 80 * HOUR };

jest.setTimeout(60_000);

const customer = (tier: 'A' | 'B' | 'C') => ({ id: `C-${tier}-77`, name: `Tier ${tier} customer`, tier });

describe('complaint flows', () => {
  let s: Steward;
  beforeAll(async () => {
    s = await startSteward({ COMPENSATION_APPROVAL_THRESHOLD: '1000', SLA_POLICIES_FILE: writePolicyFile(POLICY) });
  });
  afterAll(() => s.close());

  /** Opens as lena and gives the complaint to `owner` (the owner transfers it) unless it already is theirs. */
  async function openOwnedBy(owner: string, overrides: Partial<ComplaintBody> = {}): Promise<ComplaintView> {
    const c = await openComplaint(s, 'lena', overrides);
    if (c.ownerId === owner) return c;
    return act(s, c.id, 'transfers', c.ownerId, { toUserId: owner, reason: `${owner} handles this customer` });
  }

  describe('priority from severity x customer tier', () => {
    it.each([
      ['critical', 'C', 'P2'],
      ['low', 'A', 'P3'],
      ['low', 'C', 'P4'],
      ['critical', 'B', 'P1'],
      ['high', 'B', 'P2'],
      ['medium', 'C', 'P3'],
    ] as const)('%s severity for a tier %s customer is %s, with that priority\'s targets', async (severity, tier, priority) => {
      const c = await openComplaint(s, 'sam', { severity, customer: customer(tier), subject: `${severity} for ${tier}` });
      expect(c).toMatchObject({ priority, severity, status: 'open', team: 'service', escalationLevel: 0 });
      expect(c.sla.firstResponse.budgetMs).toBe(FIRST_RESPONSE_MS[priority]);
      expect(c.sla.resolution).toMatchObject({ status: 'running', budgetMs: RESOLUTION_MS[priority] });
      expect(Date.parse(c.sla.resolution.targetAt!)).toBeCloseTo(Date.parse(c.createdAt) + RESOLUTION_MS[priority], -3);
      expect(c.sla.update).toBeNull();
      expect(await getComplaint(s, c.id, 'sam')).toMatchObject({ id: c.id, priority });
    });
  });

  describe('owner', () => {
    it('is the least loaded agent of the service team (ties go to the first by id), and is told so', async () => {
      // This file has its own database: nobody else opens or closes complaints while it counts.
      for (let i = 0; i < 4; i++) {
        const before = await openLoad(s);
        const c = await openComplaint(s, 'lena', { subject: `Load sample ${i}` });
        const least = Math.min(...Object.values(before));
        expect({ owner: c.ownerId, load: before }).toEqual({ owner: SERVICE_AGENTS.find((a) => before[a] === least), load: before });
        expect(await openLoad(s)).toEqual({ ...before, [c.ownerId]: before[c.ownerId] + 1 });
        const notes = await notificationsOf(s, c.ownerId);
        expect(notes).toContainEqual(expect.objectContaining({ caseType: 'complaint', caseId: c.id, kind: 'complaint_assigned', readAt: null }));
        expect(await tasksOf(s, c.ownerId)).toContainEqual(expect.objectContaining({ caseType: 'complaint', caseId: c.id, kind: 'respond_complaint' }));
      }
    });

    it('levels the load: opening enough complaints brings every agent to the same count, one after another', async () => {
      const before = await openLoad(s);
      const max = Math.max(...Object.values(before));
      const n = SERVICE_AGENTS.reduce((sum, a) => sum + (max - before[a]), 0) + SERVICE_AGENTS.length;
      // The rule, simulated: each complaint goes to the least loaded agent, ties to the first by id.
      const simulated = { ...before };
      const expected: string[] = [];
      for (let i = 0; i < n; i++) {
        const least = Math.min(...Object.values(simulated));
        const next = SERVICE_AGENTS.find((a) => simulated[a] === least)!;
        simulated[next] += 1;
        expected.push(next);
      }
      const owners: string[] = [];
      for (let i = 0; i < n; i++) owners.push((await openComplaint(s, 'lena', { subject: `Spread ${i}` })).ownerId);
      const after = await openLoad(s);
      expect(after).toEqual(simulated);
      expect(owners).toEqual(expected);
      expect(Object.values(after)).toEqual(SERVICE_AGENTS.map(() => max + 1));
      expect(owners.slice(-SERVICE_AGENTS.length).sort()).toEqual([...SERVICE_AGENTS]);
    });
  });

  describe('transfer', () => {
    it('moves the respond task to the new owner, who is notified with the reason, and lets only them respond', async () => {
      const c = await openComplaint(s, 'lena', { subject: 'Wrong invoice address' });
      const from = c.ownerId;
      const to = from === 'sam' ? 'tina' : 'sam';
      const moved = await act(s, c.id, 'transfers', from, { toUserId: to, reason: 'Speaks the customer\'s dialect' });
      expect(moved).toMatchObject({ ownerId: to, status: 'open' });
      expect(moved.transfers).toEqual([expect.objectContaining({ from, to, by: from, reason: "Speaks the customer's dialect" })]);

      expect((await tasksOf(s, to)).filter((t) => t.caseId === c.id).map((t) => t.kind)).toEqual(['respond_complaint']);
      expect((await tasksOf(s, from)).filter((t) => t.caseId === c.id)).toEqual([]);
      const assigned = (await notificationsOf(s, to)).filter((n) => n.caseId === c.id && n.kind === 'complaint_assigned');
      expect(assigned).toHaveLength(1);
      expect(assigned[0].message).toContain("Speaks the customer's dialect");

      await s.http.post(`/complaints/${c.id}/responses`).set(s.as(from)).send({ message: 'Not mine any more' }).expect(403);
      const responded = await act(s, c.id, 'responses', to, { message: 'Hello, I will take care of it' });
      expect(responded).toMatchObject({ status: 'in_progress', ownerId: to });
      expect(responded.sla.firstResponse.status).toBe('met');
      const audit = await complaintAudit(s, c.id);
      expect(audit.map((e) => e.action)).toEqual(['complaint_opened', 'complaint_transferred', 'first_response']);
      expect(audit[1]).toMatchObject({ actorId: from, data: { from, to, reason: "Speaks the customer's dialect" } });
    });

    it('by the team lead tells the previous owner too, and the task follows again', async () => {
      const c = await openOwnedBy('sam', { subject: 'Lead reassigns' });
      const moved = await act(s, c.id, 'transfers', 'lena', { toUserId: 'tina', reason: 'Sam is on leave' });
      expect(moved.ownerId).toBe('tina');
      expect(await tasksOf(s, 'tina')).toContainEqual(expect.objectContaining({ caseId: c.id, kind: 'respond_complaint' }));
      expect((await tasksOf(s, 'sam')).filter((t) => t.caseId === c.id)).toEqual([]);
      const samNotes = (await notificationsOf(s, 'sam')).filter((n) => n.caseId === c.id);
      expect(samNotes.map((n) => n.kind)).toContain('complaint_transferred');
      expect(samNotes.find((n) => n.kind === 'complaint_transferred')!.message).toContain('Sam is on leave');
    });
  });

  describe('priority change', () => {
    it('recomputes the targets from the new priority and keeps the time already spent', async () => {
      const c = await openComplaint(s, 'lena', { severity: 'high', customer: customer('B'), subject: 'Escalating customer' });
      expect(c.priority).toBe('P2');
      const before = await waitFor(
        async () => {
          const v = await getComplaint(s, c.id);
          return v.sla.firstResponse.spentMs >= 1200 && v;
        },
        { what: '1.2 s of first-response time to be spent' },
      );

      const changed = await act(s, c.id, 'priority', c.ownerId, { severity: 'critical', reason: 'Customer threatens to leave' });
      expect(changed).toMatchObject({ priority: 'P1', severity: 'critical', status: 'open' });
      expect(changed.priorityChanges).toEqual([expect.objectContaining({ from: 'P2', to: 'P1', severity: 'critical', by: c.ownerId })]);
      const fr = changed.sla.firstResponse;
      const res = changed.sla.resolution;
      expect([fr.budgetMs, res.budgetMs]).toEqual([FIRST_RESPONSE_MS.P1, RESOLUTION_MS.P1]);
      // Time spent is kept: the target counts from intake, not from the change.
      expect(fr.spentMs).toBeGreaterThanOrEqual(before.sla.firstResponse.spentMs);
      expect(res.spentMs).toBeGreaterThanOrEqual(before.sla.resolution.spentMs);
      expect(Math.abs(Date.parse(fr.targetAt!) - (Date.parse(c.createdAt) + FIRST_RESPONSE_MS.P1))).toBeLessThan(250);
      expect(Math.abs(Date.parse(res.targetAt!) - (Date.parse(c.createdAt) + RESOLUTION_MS.P1))).toBeLessThan(250);
      expect(fr.remainingMs).toBeLessThanOrEqual(FIRST_RESPONSE_MS.P1 - 1200);
      expect(fr.status).toBe('running');

      const notes = (await notificationsOf(s, c.ownerId)).filter((n) => n.caseId === c.id && n.kind === 'priority_changed');
      expect(notes).toHaveLength(1);
      expect(notes[0].message).toContain('P1');
      const audit = await complaintAudit(s, c.id);
      expect(audit[audit.length - 1]).toMatchObject({ action: 'priority_changed', actorId: c.ownerId, data: { from: 'P2', to: 'P1' } });
    });
  });

  describe('compensation', () => {
    it('above the threshold waits for a supervisor: sue gets the task, approves, and the complaint is resolved', async () => {
      const c = await openComplaint(s, 'lena', { severity: 'high', customer: customer('A'), subject: 'Lost luggage' });
      await act(s, c.id, 'responses', c.ownerId, { message: 'We are tracing the bag' });
      const waiting = await act(s, c.id, 'resolution', c.ownerId, { summary: 'Bag lost for good', compensation: { amount: 1500, currency: 'CNY' } });
      expect(waiting.status).toBe('pending_compensation_approval');
      expect(waiting.resolution).toMatchObject({ summary: 'Bag lost for good', compensation: { amount: 1500, currency: 'CNY', status: 'pending' } });
      expect(waiting.sla.resolution.status).toBe('running');
      expect(await tasksOf(s, 'sue')).toContainEqual(expect.objectContaining({ caseType: 'complaint', caseId: c.id, kind: 'approve_compensation' }));
      expect((await notificationsOf(s, 'sue')).filter((n) => n.caseId === c.id).map((n) => n.kind)).toContain('approval_requested');

      const approved = await act(s, c.id, 'compensation/decisions', 'sue', { decision: 'approve', comment: 'Fair' });
      expect(approved.status).toBe('resolved');
      expect(approved.resolution?.compensation).toMatchObject({ amount: 1500, status: 'approved' });
      expect(approved.sla.resolution.status).toBe('met');
      expect(approved.resolvedAt).not.toBeNull();
      expect((await tasksOf(s, 'sue')).filter((t) => t.caseId === c.id)).toEqual([]);
      expect((await tasksOf(s, c.ownerId)).filter((t) => t.caseId === c.id).map((t) => t.kind)).toEqual(['collect_feedback']);
      const actions = (await complaintAudit(s, c.id)).map((e) => e.action);
      expect(actions.slice(actions.indexOf('compensation_requested'))).toEqual([
        'compensation_requested',
        'approval_level_started',
        'approval_decision',
        'approval_level_decided',
        'compensation_approved',
      ]);
    });

    it('at or below the threshold resolves at once, with nothing for a supervisor', async () => {
      const c = await openComplaint(s, 'lena', { subject: 'Late delivery' });
      const resolved = await act(s, c.id, 'resolution', c.ownerId, { summary: 'Voucher sent', compensation: { amount: 1000, currency: 'CNY' } });
      expect(resolved.status).toBe('resolved');
      expect(resolved.resolution?.compensation).toEqual({ amount: 1000, currency: 'CNY', status: 'not_required' });
      // Resolving without a response first counts as the first response.
      expect(resolved.sla.firstResponse.status).toBe('met');
      expect(resolved.sla.resolution.status).toBe('met');
      expect((await tasksOf(s, 'sue')).filter((t) => t.caseId === c.id)).toEqual([]);
    });

    it('rejected by the supervisor goes back to the owner, in progress, who is told why', async () => {
      const c = await openComplaint(s, 'lena', { subject: 'Scratched table' });
      await act(s, c.id, 'resolution', c.ownerId, { summary: 'Full refund', compensation: { amount: 1200.5, currency: 'CNY' } });
      const rejected = await act(s, c.id, 'compensation/decisions', 'sue', { decision: 'reject', comment: 'Offer a repair first' });
      expect(rejected.status).toBe('in_progress');
      expect(rejected.resolution?.compensation).toMatchObject({ amount: 1200.5, status: 'rejected' });
      expect(rejected.resolvedAt).toBeNull();
      const note = (await notificationsOf(s, c.ownerId)).find((n) => n.caseId === c.id && n.kind === 'compensation_rejected');
      expect(note?.message).toContain('Offer a repair first');
      expect(await tasksOf(s, c.ownerId)).toContainEqual(expect.objectContaining({ caseId: c.id, kind: 'respond_complaint' }));
    });
  });

  describe('feedback', () => {
    it('unsatisfied reopens the complaint with its resolution and update clocks running again', async () => {
      const c = await openComplaint(s, 'lena', { severity: 'critical', customer: customer('A'), subject: 'App crashes on login' });
      await act(s, c.id, 'responses', c.ownerId, { message: 'Please update to 5.2' });
      const resolved = await act(s, c.id, 'resolution', c.ownerId, { summary: 'Fixed in 5.2' });
      expect(resolved.sla.resolution.status).toBe('met');

      const reopened = await act(s, c.id, 'feedback', c.ownerId, { satisfied: false, comment: 'Still crashes' });
      expect(reopened).toMatchObject({ status: 'in_progress', reopenCount: 1, resolvedAt: null, resolution: null });
      expect(reopened.sla.firstResponse.status).toBe('met');
      expect(reopened.sla.resolution).toMatchObject({ status: 'running', doneAt: null, budgetMs: RESOLUTION_MS.P1 });
      expect(reopened.sla.update).toMatchObject({ status: 'running', doneAt: null });
      const later = await waitFor(
        async () => {
          const v = await getComplaint(s, c.id);
          return v.sla.resolution.spentMs > reopened.sla.resolution.spentMs && v;
        },
        { what: 'the reopened resolution clock to run' },
      );
      expect(later.sla.resolution.remainingMs).toBeLessThan(reopened.sla.resolution.remainingMs);

      expect(await tasksOf(s, c.ownerId)).toContainEqual(expect.objectContaining({ caseId: c.id, kind: 'respond_complaint' }));
      expect((await notificationsOf(s, c.ownerId)).map((n) => `${n.caseId}:${n.kind}`)).toContain(`${c.id}:complaint_reopened`);
      const last = (await complaintAudit(s, c.id)).pop();
      expect(last).toMatchObject({ action: 'complaint_reopened', fromStatus: 'resolved', toStatus: 'in_progress', data: { reopenCount: 1 } });

      const closed = await act(s, c.id, 'resolution', c.ownerId, { summary: 'Fixed in 5.2.1' });
      expect(closed).toMatchObject({ status: 'resolved', reopenCount: 1 });
      expect((await act(s, c.id, 'feedback', c.ownerId, { satisfied: true })).status).toBe('closed');
    });
  });

  describe('lists', () => {
    /** tina's complaints: P1 open, P1 awaiting the customer, P3 in progress, P4 breached, P2 resolved. */
    let mine: Record<'open' | 'paused' | 'working' | 'breached' | 'resolved', ComplaintView>;

    beforeAll(async () => {
      const tag = (name: string) => ({ subject: `List fixture ${name}` });
      const open = await openOwnedBy('tina', { ...tag('open'), severity: 'critical', customer: customer('A') });
      const paused = await openOwnedBy('tina', { ...tag('paused'), severity: 'critical', customer: customer('B') });
      const working = await openOwnedBy('tina', { ...tag('working'), severity: 'medium', customer: customer('B') });
      const breached = await openOwnedBy('tina', { ...tag('breached'), severity: 'low', customer: customer('C') });
      const resolved = await openOwnedBy('tina', { ...tag('resolved'), severity: 'high', customer: customer('B') });
      await act(s, paused.id, 'responses', 'tina', { message: 'Can you send a photo?' });
      await act(s, working.id, 'responses', 'tina', { message: 'On it' });
      await act(s, resolved.id, 'resolution', 'tina', { summary: 'Done' });
      mine = {
        open: await getComplaint(s, open.id),
        paused: await act(s, paused.id, 'pause', 'tina', { reason: 'Waiting for the photo' }),
        working: await getComplaint(s, working.id),
        breached: await eventually(async () => {
          const v = await getComplaint(s, breached.id);
          expect(v.breached).toBe(true);
          return v;
        }),
        resolved: await getComplaint(s, resolved.id),
      };
    });

    /** Every page of a query with a small limit, checking the pages fit together. */
    async function pages(query: string, limit = 2): Promise<ComplaintView[]> {
      const seen: ComplaintView[] = [];
      let cursor: string | null = null;
      let count = 0;
      do {
        const url: string = `/complaints?${query}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const page = (await s.http.get(url).set(s.as('sue')).expect(200)).body as { items: ComplaintView[]; nextCursor: string | null };
        expect(page.items.length).toBeLessThanOrEqual(limit);
        if (page.nextCursor) expect(page.items).toHaveLength(limit);
        seen.push(...page.items);
        cursor = page.nextCursor;
        count += 1;
      } while (cursor && count < 500);
      expect(cursor).toBeNull();
      expect(new Set(seen.map((c) => c.id)).size).toBe(seen.length);
      const keys = seen.map((c) => c.createdAt);
      expect([...keys].sort().reverse()).toEqual(keys);
      return seen;
    }

    const mineIn = (list: ComplaintView[]) =>
      Object.entries(mine)
        .filter(([, c]) => ids(list).includes(c.id))
        .map(([name]) => name)
        .sort();

    it('has its fixtures where the filters below expect them', () => {
      expect(Object.values(mine).map((c) => [c.ownerId, c.priority, c.status, c.breached])).toEqual([
        ['tina', 'P1', 'open', false],
        ['tina', 'P1', 'awaiting_customer', false],
        ['tina', 'P3', 'in_progress', false],
        ['tina', 'P4', 'open', true],
        ['tina', 'P2', 'resolved', false],
      ]);
    });

    it('filters by owner, page by page with the cursor, newest first', async () => {
      const list = await pages('ownerId=tina');
      expect(list.every((c) => c.ownerId === 'tina')).toBe(true);
      expect(mineIn(list)).toEqual(['breached', 'open', 'paused', 'resolved', 'working']);
      const order = ids(list).filter((id) => Object.values(mine).some((c) => c.id === id));
      expect(order).toEqual([mine.resolved.id, mine.breached.id, mine.working.id, mine.paused.id, mine.open.id]);
    });

    it('filters by status', async () => {
      const list = await pages('ownerId=tina&status=awaiting_customer', 1);
      expect(list.every((c) => c.status === 'awaiting_customer')).toBe(true);
      expect(mineIn(list)).toEqual(['paused']);
      const resolved = await pages('status=resolved&ownerId=tina');
      expect(mineIn(resolved)).toEqual(['resolved']);
    });

    it('filters by priority', async () => {
      const list = await pages('ownerId=tina&priority=P1');
      expect(list.every((c) => c.priority === 'P1')).toBe(true);
      expect(mineIn(list)).toEqual(['open', 'paused']);
      expect(mineIn(await pages('ownerId=tina&priority=P4'))).toEqual(['breached']);
    });

    it('filters by breached', async () => {
      const breached = await pages('ownerId=tina&breached=true');
      expect(breached.every((c) => c.breached === true)).toBe(true);
      expect(mineIn(breached)).toEqual(['breached']);
      expect(breached.find((c) => c.id === mine.breached.id)!.sla.firstResponse.status).toBe('breached');
      const fine = await pages('ownerId=tina&breached=false', 3);
      expect(fine.every((c) => c.breached === false)).toBe(true);
      expect(mineIn(fine)).toEqual(['open', 'paused', 'resolved', 'working']);
    });

    it('combines filters', async () => {
      const list = await pages('ownerId=tina&status=open&priority=P1&breached=false', 1);
      expect(list.every((c) => c.ownerId === 'tina' && c.status === 'open' && c.priority === 'P1' && !c.breached)).toBe(true);
      expect(mineIn(list)).toEqual(['open']);
      expect(mineIn(await pages('ownerId=sam&priority=P1'))).toEqual([]);
    });
  });

  describe('GET /reports/complaints', () => {
    /** P1 closed; P2 reopened then resolved again; P2 still open; P4 breached its first response, then resolved. */
    let r: { closed: ComplaintView; reopened: ComplaintView; open: ComplaintView; breached: ComplaintView };

    beforeAll(async () => {
      const closed = await openComplaint(s, 'lena', { severity: 'critical', customer: customer('A'), subject: 'Report P1' });
      const reopened = await openComplaint(s, 'lena', { severity: 'critical', customer: customer('C'), subject: 'Report P2 reopened' });
      const open = await openComplaint(s, 'lena', { severity: 'high', customer: customer('B'), subject: 'Report P2 open' });
      const breached = await openComplaint(s, 'lena', { severity: 'low', customer: customer('C'), subject: 'Report P4' });

      await act(s, closed.id, 'responses', closed.ownerId, { message: 'Hi' });
      await act(s, closed.id, 'resolution', closed.ownerId, { summary: 'Done' });
      await act(s, closed.id, 'feedback', closed.ownerId, { satisfied: true });

      await act(s, reopened.id, 'resolution', reopened.ownerId, { summary: 'Done' });
      await act(s, reopened.id, 'feedback', reopened.ownerId, { satisfied: false, comment: 'Not really' });
      await act(s, reopened.id, 'resolution', reopened.ownerId, { summary: 'Done now' });

      await eventually(async () => expect((await complaintAudit(s, breached.id)).map((e) => e.action)).toContain('sla_breached'));
      await act(s, breached.id, 'responses', breached.ownerId, { message: 'Sorry for the wait' });
      await act(s, breached.id, 'resolution', breached.ownerId, { summary: 'Done' });

      r = {
        closed: await getComplaint(s, closed.id),
        reopened: await getComplaint(s, reopened.id),
        open: await getComplaint(s, open.id),
        breached: await getComplaint(s, breached.id),
      };
    });

    const report = async (from: string, to: string, user = 'sue') =>
      (await s.http.get(`/reports/complaints?from=${from}&to=${to}`).set(s.as(user)).expect(200)).body;
    /** A window of one millisecond: the complaints opened in the same millisecond as `c` (in practice only `c`). */
    const just = (c: ComplaintView) => report(c.createdAt, new Date(Date.parse(c.createdAt) + 1).toISOString());
    const none = { count: 0, firstResponseMetPct: null, resolutionMetPct: null, breaches: 0 };
    const resolutionMs = (c: ComplaintView) => Date.parse(c.resolvedAt!) - Date.parse(c.createdAt);

    it('has its fixtures in the states the report counts', () => {
      expect(Object.values(r).map((c) => [c.priority, c.status, c.reopenCount, c.sla.firstResponse.status, c.sla.resolution.status])).toEqual([
        ['P1', 'closed', 0, 'met', 'met'],
        ['P2', 'resolved', 1, 'met', 'met'],
        ['P2', 'open', 0, 'running', 'running'],
        ['P4', 'resolved', 0, 'breached', 'met'],
      ]);
    });

    it('counts a closed complaint that met both targets', async () => {
      expect(await just(r.closed)).toEqual({
        from: r.closed.createdAt,
        to: new Date(Date.parse(r.closed.createdAt) + 1).toISOString(),
        total: 1,
        byPriority: { P1: { count: 1, firstResponseMetPct: 100, resolutionMetPct: 100, breaches: 0 }, P2: none, P3: none, P4: none },
        reopenRate: 0,
        meanResolutionMs: resolutionMs(r.closed),
        breaches: 0,
      });
      expect(resolutionMs(r.closed)).toBeGreaterThan(0);
    });

    it('counts a reopened complaint in the reopen rate, and its resolution from intake to the last resolution', async () => {
      expect(await just(r.reopened)).toMatchObject({
        total: 1,
        byPriority: { P1: none, P2: { count: 1, firstResponseMetPct: 100, resolutionMetPct: 100, breaches: 0 } },
        reopenRate: 1,
        meanResolutionMs: resolutionMs(r.reopened),
        breaches: 0,
      });
    });

    it('leaves targets still running out of the percentages', async () => {
      expect(await just(r.open)).toMatchObject({
        total: 1,
        byPriority: { P2: { count: 1, firstResponseMetPct: null, resolutionMetPct: null, breaches: 0 } },
        reopenRate: 0,
        meanResolutionMs: null,
        breaches: 0,
      });
    });

    it('counts a breached first response as missed and as a breach', async () => {
      expect(await just(r.breached)).toMatchObject({
        total: 1,
        byPriority: { P4: { count: 1, firstResponseMetPct: 0, resolutionMetPct: 100, breaches: 1 } },
        reopenRate: 0,
        meanResolutionMs: resolutionMs(r.breached),
        breaches: 1,
      });
    });

    it('sums a window holding all four: totals, per-priority counts and percentages, reopen rate, mean resolution, breaches', async () => {
      const from = r.closed.createdAt;
      const to = new Date(Date.parse(r.breached.createdAt) + 1).toISOString();
      // Only this file writes to its database, and nothing else was opened between the four.
      const breaches: Record<string, number> = {};
      for (const c of Object.values(r)) breaches[c.id] = (await complaintAudit(s, c.id)).filter((e) => e.action === 'sla_breached').length;
      expect(Object.values(breaches)).toEqual([0, 0, 0, 1]);
      const inWindow = (await listAll(s, '')).filter((c) => c.createdAt >= from && c.createdAt < to);
      expect(ids(inWindow).sort()).toEqual(ids(Object.values(r)).sort());
      const body = await report(from, to);
      expect(body).toEqual(expectedReport(from, to, Object.values(r), breaches));
      expect(body).toMatchObject({ total: 4, reopenRate: 0.25, breaches: 1 });
      expect(body.byPriority).toMatchObject({ P1: { count: 1 }, P2: { count: 2 }, P3: { count: 0 }, P4: { count: 1 } });
      expect(body.meanResolutionMs).toBeGreaterThan(0);
    });

    it('shows only what was opened in the window', async () => {
      const before = new Date(Date.parse(r.closed.createdAt) - 60_000).toISOString();
      const body = await report('2000-01-01T00:00:00Z', '2000-01-02T00:00:00Z');
      expect(body).toMatchObject({ total: 0, reopenRate: null, meanResolutionMs: null, breaches: 0, byPriority: { P1: none, P2: none, P3: none, P4: none } });
      // `to` is exclusive: a window ending at the first complaint's intake does not count it.
      const upTo = await report(before, r.closed.createdAt);
      const through = await report(before, new Date(Date.parse(r.closed.createdAt) + 1).toISOString());
      expect(through.byPriority.P1.count - upTo.byPriority.P1.count).toBe(1);
    });
  });
});

const ids = (list: ComplaintView[]) => list.map((c) => c.id);

/** The report the contract describes, computed from the complaints as the API shows them. */
function expectedReport(from: string, to: string, complaints: ComplaintView[], breachesById: Record<string, number>) {
  const pct = (met: number, of: number) => (of === 0 ? null : Math.round((1000 * met) / of) / 10);
  const met = (c: ComplaintView['sla']['firstResponse']) => c.breachedAt === null && c.doneAt !== null;
  const decided = (c: ComplaintView['sla']['firstResponse']) => c.breachedAt !== null || c.doneAt !== null;
  const byPriority = Object.fromEntries(
    ['P1', 'P2', 'P3', 'P4'].map((p) => {
      const cs = complaints.filter((c) => c.priority === p);
      if (cs.length === 0) return [p, { count: 0, firstResponseMetPct: null, resolutionMetPct: null, breaches: 0 }];
      return [
        p,
        {
          count: cs.length,
          firstResponseMetPct: pct(cs.filter((c) => met(c.sla.firstResponse)).length, cs.filter((c) => decided(c.sla.firstResponse)).length),
          resolutionMetPct: pct(cs.filter((c) => met(c.sla.resolution)).length, cs.filter((c) => decided(c.sla.resolution)).length),
          breaches: cs.reduce((n, c) => n + breachesById[c.id], 0),
        },
      ];
    }),
  );
  const resolved = complaints.filter((c) => c.resolvedAt !== null);
  const total = complaints.length;
  return {
    from,
    to,
    total,
    byPriority,
    reopenRate: total === 0 ? null : Math.round((1000 * complaints.filter((c) => c.reopenCount > 0).length) / total) / 1000,
    meanResolutionMs:
      resolved.length === 0 ? null : Math.round(resolved.reduce((n, c) => n + Date.parse(c.resolvedAt!) - Date.parse(c.createdAt), 0) / resolved.length),
    breaches: complaints.reduce((n, c) => n + breachesById[c.id], 0),
  };
}
