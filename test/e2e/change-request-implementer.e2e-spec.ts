import { expectError, expectInvalid } from '../support/access';
import { changeBody, decide, RISK, submitChange, tasksOf } from '../support/change-requests';
import { startSteward, Steward } from '../support/steward';

/**
 * Issue 11, inbox spam and leaks: a standard change is approved at once, so naming an implementer hands them an
 * `implement_change` task with no approver in between. Its implementer must be the requester, a team mate or
 * hold the `implementer` role. And the review route checks who asks before the change's state or type.
 */

jest.setTimeout(60_000);

describe('change request implementer and review hardening', () => {
  let s: Steward;
  beforeAll(async () => {
    s = await startSteward();
  });
  afterAll(() => s.close());

  const post = (user: string, body: object) => s.http.post('/change-requests').set(s.as(user)).send(body);
  const standard = (implementerId: string) => changeBody({ type: 'standard', ...RISK.very_low, implementerId, title: `Standard for ${implementerId}` });

  describe('POST /change-requests: who may implement a standard change', () => {
    it('refuses a standard change naming someone outside the team without the implementer role: 400 naming implementerId, no task for them', async () => {
      const res = await post('alice', standard('hank'));
      expectInvalid(res, 'implementerId');
      expect(res.body.message).toMatch(/standard change.*team.*implementer role/);
      expect((await tasksOf(s, 'hank')).filter((t) => t.kind === 'implement_change')).toEqual([]);
      // An agent of the service team cannot fill an engineer's inbox either.
      expectInvalid(await post('sam', standard('alice')), 'implementerId');
    });

    it('accepts the requester, a team mate and a holder of the implementer role', async () => {
      for (const [requester, implementer] of [
        ['alice', 'alice'],
        ['alice', 'eve'],
        ['alice', 'ivan'],
        ['sam', 'ivan'],
      ]) {
        const res = await post(requester, standard(implementer));
        expect({ requester, implementer, status: res.status, body: res.body.status }).toEqual({ requester, implementer, status: 201, body: 'scheduled' });
      }
    });

    it('a normal change may still name any directory user: its approver sees who before anyone gets a task', async () => {
      const res = await post('alice', changeBody({ implementerId: 'hank', title: 'Normal for hank' }));
      expect(res.status).toBe(201);
      expect((await tasksOf(s, 'hank')).map((t) => t.caseId)).not.toContain(res.body.id);
    });

    it('a revision that makes a change standard is held to the same rule', async () => {
      const change = await submitChange(s, 'alice', { title: 'Revised to standard', ...RISK.very_low, implementerId: 'hank' });
      await decide(s, change.id, 'bob', 'request_changes', 'Make it a standard change');
      const revise = (body: object) => s.http.post(`/change-requests/${change.id}/revisions`).set(s.as('alice')).send(body);
      expectInvalid(await revise({ type: 'standard' }), 'implementerId');
      expect((await revise({ type: 'standard', implementerId: 'eve' })).status).toBe(200);
    });
  });

  describe('POST /change-requests/:id/review: who asks first, then the state', () => {
    let normal: string;
    let emergency: string;
    beforeAll(async () => {
      const [n, e] = await Promise.all([
        submitChange(s, 'alice', { title: 'Normal, approved' }),
        submitChange(s, 'alice', { title: 'Emergency, pending', type: 'emergency', ...RISK.high }),
      ]);
      normal = n.id;
      emergency = e.id;
      await decide(s, normal, 'bob');
    });
    const review = (id: string, user: string) => s.http.post(`/change-requests/${id}/review`).set(s.as(user)).send({ note: 'ok' });

    it('someone with no part in the change gets the same 403 whatever its type (it was 409 for a normal change)', async () => {
      for (const id of [normal, emergency]) {
        for (const outsider of ['eve', 'hank', 'sam']) expectError(await review(id, outsider), 403);
      }
    });

    it('the requester is refused for segregation of duties on both', async () => {
      for (const id of [normal, emergency]) {
        const res = await review(id, 'alice');
        expectError(res, 403);
        expect(res.body.message).toMatch(/segregation of duties/);
      }
    });

    it('a participant gets 409 on a normal change (no review) and the reviewer 409 before implementation', async () => {
      expectError(await review(normal, 'bob'), 409);
      expectError(await review(emergency, 'bob'), 409);
    });
  });
});
