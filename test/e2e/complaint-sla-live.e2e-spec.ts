import { eventually, notificationsOf, tasksOf } from '../support/change-requests';
import {
  act,
  complaintAudit,
  ComplaintAuditItem,
  ComplaintView,
  getComplaint,
  ladder,
  listAll,
  openComplaint,
  writePolicyFile,
} from '../support/complaints';
import { startSteward, Steward } from '../support/steward';

/**
 * SLA clocks on the real server, in real time: a policy of seconds instead of hours lets the workflow's own
 * timers warn, breach and climb the escalation ladder while the test watches over HTTP.
 */
const FIRST_RESPONSE_MS = 2000;
const UPDATE_MS = 3000;
const RESOLUTION_MS = 6000;
const seconds = { calendar: 'always', firstResponse: 'PT2S', update: 'PT3S', resolution: 'PT6S' };
const POLICY = {
  calendars: { always: { type: '24x7' } },
  priorities: { P1: seconds, P2: seconds, P3: seconds, P4: seconds },
  escalation: ladder(0.5),
};

jest.setTimeout(60_000);

/** Bounded live waits: the whole ladder takes 4 s of working time; allow for a slow machine. */
const live = { timeoutMs: 20_000, intervalMs: 200 };

const firstResponseEvents = (audit: ComplaintAuditItem[]) =>
  audit.filter((e) => e.action.startsWith('sla_') && e.data.clock === 'firstResponse');

describe('complaint SLA clocks, live', () => {
  let s: Steward;
  beforeAll(async () => {
    s = await startSteward({ SLA_POLICIES_FILE: writePolicyFile(POLICY) });
  });
  afterAll(() => s.close());

  describe('a complaint nobody answers', () => {
    let c: ComplaintView;
    let owner: string;
    let opened: number;

    beforeAll(async () => {
      c = await openComplaint(s, 'lena', { severity: 'high', customer: { id: 'C-9', name: 'Initech', tier: 'B' }, subject: 'Nobody answers' });
      // The ladder below (lena, sue, mike) is that of an agent in lena's team; lena's own complaints skip her.
      if (c.ownerId === 'lena') c = await act(s, c.id, 'transfers', 'lena', { toUserId: 'sam', reason: 'lena leads the team' });
      owner = c.ownerId;
      opened = Date.parse(c.createdAt);
    });

    it('starts with a two-second first-response target', () => {
      expect(c.sla.firstResponse).toMatchObject({ budgetMs: FIRST_RESPONSE_MS, targetAt: new Date(opened + FIRST_RESPONSE_MS).toISOString() });
      expect(c.sla.resolution).toMatchObject({ budgetMs: RESOLUTION_MS, status: 'running' });
      expect(c).toMatchObject({ status: 'open', escalationLevel: 0, breached: false });
    });

    it('warns the owner at half the target', async () => {
      const warning = await eventually(async () => {
        const found = (await notificationsOf(s, owner)).find((n) => n.caseId === c.id && n.kind === 'sla_warning');
        expect(found).toBeDefined();
        return found!;
      }, live);
      expect(warning.message).toContain('50% of the first-response target');
      expect(Date.parse(warning.createdAt)).toBeGreaterThanOrEqual(opened + FIRST_RESPONSE_MS / 2);
    });

    it('shows the first response as breached once the target passes, at the target instant', async () => {
      const view = await eventually(async () => {
        const v = await getComplaint(s, c.id);
        expect(v.sla.firstResponse.status).toBe('breached');
        expect(v.breached).toBe(true);
        return v;
      }, live);
      expect(view.sla.firstResponse.breachedAt).toBe(new Date(opened + FIRST_RESPONSE_MS).toISOString());
      expect(view.sla.firstResponse.remainingMs).toBeLessThan(0);
      expect(view.status).toBe('open');
    });

    it('gives the team lead (lena) an escalation task', async () => {
      const task = await eventually(async () => {
        const found = (await tasksOf(s, 'lena')).find((t) => t.caseId === c.id && t.kind === 'complaint_escalation');
        expect(found).toBeDefined();
        return found!;
      }, live);
      expect(task).toMatchObject({ caseType: 'complaint' });
      expect(task.title).toContain(owner);
      expect((await notificationsOf(s, 'lena')).map((n) => `${n.caseId}:${n.kind}`)).toContain(`${c.id}:sla_escalation`);
    });

    it('climbs to escalation level 3: the supervisor (sue) and then the manager (mike) get tasks', async () => {
      const view = await eventually(async () => {
        const v = await getComplaint(s, c.id);
        expect(v.escalationLevel).toBe(3);
        return v;
      }, live);
      expect(view.status).toBe('open');
      for (const user of ['sue', 'mike']) {
        expect(await tasksOf(s, user)).toContainEqual(expect.objectContaining({ caseType: 'complaint', caseId: c.id, kind: 'complaint_escalation' }));
      }
      // mike is no service staff: the escalation makes him a participant who may read the complaint.
      expect(await getComplaint(s, c.id, 'mike')).toMatchObject({ id: c.id, escalationLevel: 3 });
    });

    it('records the warning, the breach and each escalation in the audit trail, in order and not early', async () => {
      const events = await eventually(async () => {
        const e = firstResponseEvents(await complaintAudit(s, c.id));
        expect(e).toHaveLength(5);
        return e;
      }, live);
      expect(events.map((e) => [e.action, e.actorId, e.data.userId ?? null, e.data.escalationLevel ?? null])).toEqual([
        ['sla_warning', 'system', owner, null],
        ['sla_breached', 'system', null, null],
        ['sla_escalated', 'system', 'lena', 1],
        ['sla_escalated', 'system', 'sue', 2],
        ['sla_escalated', 'system', 'mike', 3],
      ]);
      const at = (e: ComplaintAuditItem) => Date.parse(e.at);
      const due = [0.5, 1.0, 1.0, 1.5, 2.0].map((f) => opened + f * FIRST_RESPONSE_MS);
      events.forEach((e, i) => expect(at(e)).toBeGreaterThanOrEqual(due[i]));
      expect(events.map((e) => e.seq)).toEqual([...events.map((e) => e.seq)].sort((a, b) => a - b));
    });

    it('is found by the breached=true filter and not by breached=false', async () => {
      expect((await listAll(s, 'breached=true', 'sue')).map((v) => v.id)).toContain(c.id);
      expect((await listAll(s, 'breached=false', 'sue')).map((v) => v.id)).not.toContain(c.id);
    });

    it('stops the first-response ladder once the owner answers', async () => {
      const answered = await act(s, c.id, 'responses', owner, { message: 'Sorry for the delay' });
      expect(answered.sla.firstResponse).toMatchObject({ status: 'breached', breachedAt: new Date(opened + FIRST_RESPONSE_MS).toISOString() });
      expect(answered.sla.firstResponse.doneAt).not.toBeNull();
      expect(answered.status).toBe('in_progress');
      expect((await tasksOf(s, 'lena')).filter((t) => t.caseId === c.id && t.title.includes('first-response'))).toEqual([]);
      expect(firstResponseEvents(await complaintAudit(s, c.id))).toHaveLength(5);
    });
  });

  describe('a paused complaint', () => {
    it('does not breach while it waits for the customer, and breaches once resumed and left alone', async () => {
      const opened = await openComplaint(s, 'lena', { subject: 'Waiting for the receipt' });
      const owner = opened.ownerId;
      await act(s, opened.id, 'responses', owner, { message: 'Please send us the receipt' });
      const paused = await act(s, opened.id, 'pause', owner, { reason: 'Waiting for the receipt' });
      expect(paused.status).toBe('awaiting_customer');
      expect([paused.sla.update?.status, paused.sla.resolution.status]).toEqual(['paused', 'paused']);

      // The wait is the thing under test: longer than every target of the policy, nothing may fire. (A
      // condition to poll for cannot exist here: what is checked is that nothing happens.)
      await new Promise((resolve) => setTimeout(resolve, RESOLUTION_MS + 500));
      const waiting = await getComplaint(s, opened.id);
      expect(waiting).toMatchObject({ status: 'awaiting_customer', breached: false, escalationLevel: 0 });
      expect(waiting.sla.update).toMatchObject({ status: 'paused', spentMs: paused.sla.update!.spentMs, breachedAt: null });
      expect(waiting.sla.resolution).toMatchObject({ status: 'paused', spentMs: paused.sla.resolution.spentMs, breachedAt: null });
      expect(waiting.sla.resolution.spentMs).toBeLessThan(1000);
      const quiet = (await complaintAudit(s, opened.id)).map((e) => e.action);
      expect(quiet).toEqual(['complaint_opened', 'first_response', 'sla_paused']);
      expect((await listAll(s, `ownerId=${owner}&breached=true&status=awaiting_customer`, 'sue')).map((v) => v.id)).not.toContain(opened.id);

      const resumed = await act(s, opened.id, 'resume', owner);
      expect(resumed.status).toBe('in_progress');
      expect([resumed.sla.update?.status, resumed.sla.resolution.status]).toEqual(['running', 'running']);
      const resumedAt = Date.parse((resumed.pauses as { resumedAt: string }[])[0].resumedAt);

      const breached = await eventually(async () => {
        const v = await getComplaint(s, opened.id);
        expect(v.sla.update?.status).toBe('breached');
        expect(v.breached).toBe(true);
        return v;
      }, live);
      // The update target counts only running time: what was left at the pause, from the resume on.
      expect(Date.parse(breached.sla.update!.breachedAt!)).toBe(resumedAt + UPDATE_MS - paused.sla.update!.spentMs);
      const note = await eventually(async () => {
        const found = (await notificationsOf(s, owner)).find((n) => n.caseId === opened.id && n.kind === 'sla_breached');
        expect(found).toBeDefined();
        return found!;
      }, live);
      expect(note.message).toContain('overdue for an update');
      const audit = await complaintAudit(s, opened.id);
      expect(audit.find((e) => e.action === 'sla_breached')).toMatchObject({ actorId: 'system', data: { clock: 'update' } });
      expect((await listAll(s, `ownerId=${owner}&breached=true`, 'sue')).map((v) => v.id)).toContain(opened.id);
    });
  });

  describe('an invalid SLA_POLICIES_FILE', () => {
    // The real boot (createApiApp) rejects with the configuration error instead of exiting the process.
    it('stops the API boot with an error naming SLA_POLICIES_FILE and the missing priorities.P2', async () => {
      const { P1, P3, P4 } = POLICY.priorities;
      const file = writePolicyFile({ ...POLICY, priorities: { P1, P3, P4 } });
      const boot = startSteward({ SLA_POLICIES_FILE: file }, { worker: false });
      await expect(boot).rejects.toThrow(/SLA_POLICIES_FILE/);
      await expect(boot).rejects.toThrow(/priorities\.P2: missing/);
      await expect(boot).rejects.toMatchObject({ name: 'ConfigError', problems: [expect.stringContaining(file)] });
    });

    it('names every bad path of the file at once', async () => {
      const file = writePolicyFile({
        ...POLICY,
        priorities: { ...POLICY.priorities, P3: { ...seconds, resolution: '5 days' }, P4: { ...seconds, calendar: 'business' } },
      });
      const error = await startSteward({ SLA_POLICIES_FILE: file }, { worker: false }).then(
        () => null,
        (e: Error & { problems?: string[] }) => e,
      );
      expect(error?.problems).toEqual([
        expect.stringMatching(/^SLA_POLICIES_FILE .*: priorities\.P3\.resolution: "5 days" is not an ISO 8601 duration$/),
        expect.stringMatching(/^SLA_POLICIES_FILE .*: priorities\.P4\.calendar: "business" is not a defined calendar/),
      ]);
    });

    it('refuses a file that is not JSON, naming SLA_POLICIES_FILE', async () => {
      const file = writePolicyFile('{ "calendars": ');
      await expect(startSteward({ SLA_POLICIES_FILE: file }, { worker: false })).rejects.toThrow(/SLA_POLICIES_FILE: cannot read/);
    });
  });
});
