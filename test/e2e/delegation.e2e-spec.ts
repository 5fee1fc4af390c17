import { randomUUID } from 'node:crypto';
import { badTokens } from '../support/change-requests';
import { expectError, expectInvalid } from '../support/complaints';
import { delegate } from '../support/approval-requests';
import { startSteward, Steward } from '../support/steward';

/**
 * POST/GET/DELETE /me/delegations. Delegations are global and other suites' approvers must not be affected:
 * every window here lies in 2031, far from now, and each test revokes what it made.
 */

jest.setTimeout(60_000);

const at = (day: number) => new Date(Date.UTC(2031, 0, day)).toISOString();

describe('delegations', () => {
  let s: Steward;
  const made: { id: string; by: string }[] = [];
  const create = async (by: string, body: { delegateId: string; from: string; to: string; reason: string }) => {
    const d = await delegate(s, by, body);
    made.push({ id: d.id, by });
    return d;
  };

  beforeAll(async () => {
    s = await startSteward({}, { worker: false });
  });
  afterAll(async () => {
    for (const d of made) await s.http.delete(`/me/delegations/${d.id}`).set(s.as(d.by));
    await s.close();
  });

  it('creates, lists (for delegator and delegate) and revokes a delegation', async () => {
    const d = await create('carol', { delegateId: 'dave', from: at(1), to: at(8), reason: 'Business trip' });
    expect(d).toEqual({ id: expect.any(String), delegatorId: 'carol', delegateId: 'dave', from: at(1), to: at(8), reason: 'Business trip', createdAt: expect.any(String) });
    const mine = (await s.http.get('/me/delegations').set(s.as('carol')).expect(200)).body;
    expect(mine.items).toEqual([expect.objectContaining({ id: d.id })]);
    expect(mine.nextCursor).toBeNull();
    expect((await s.http.get('/me/delegations').set(s.as('dave')).expect(200)).body.items).toEqual([expect.objectContaining({ id: d.id, delegatorId: 'carol' })]);

    expectError(await s.http.delete(`/me/delegations/${d.id}`).set(s.as('dave')), 404);
    await s.http.delete(`/me/delegations/${d.id}`).set(s.as('carol')).expect(204);
    expectError(await s.http.delete(`/me/delegations/${d.id}`).set(s.as('carol')), 404);
    expect((await s.http.get('/me/delegations').set(s.as('carol')).expect(200)).body.items).toEqual([]);
  });

  it('refuses delegations that would chain (409), in either direction, and an overlap of your own', async () => {
    await create('erin', { delegateId: 'dave', from: at(10), to: at(20), reason: 'Leave' });
    // carol -> erin while erin has delegated: erin's approvals would pass on to dave.
    expectError(await s.http.post('/me/delegations').set(s.as('carol')).send({ delegateId: 'erin', from: at(15), to: at(25), reason: 'x' }), 409);
    // dave -> carol while dave is erin's delegate.
    expectError(await s.http.post('/me/delegations').set(s.as('dave')).send({ delegateId: 'carol', from: at(5), to: at(11), reason: 'x' }), 409);
    // erin again, overlapping her own.
    expectError(await s.http.post('/me/delegations').set(s.as('erin')).send({ delegateId: 'carol', from: at(19), to: at(22), reason: 'x' }), 409);
    // Windows that only touch do not overlap.
    await create('carol', { delegateId: 'erin', from: at(20), to: at(21), reason: 'After erin is back' });
  });

  it('refuses bad input, naming the field (400)', async () => {
    const post = (body: object, user = 'carol') => s.http.post('/me/delegations').set(s.as(user)).send(body);
    expectInvalid(await post({}), 'delegateId', 'from', 'to', 'reason');
    expectInvalid(await post({ delegateId: 'carol', from: at(1), to: at(2), reason: 'x' }), 'delegateId');
    expectInvalid(await post({ delegateId: 'nobody-here', from: at(1), to: at(2), reason: 'x' }), 'delegateId');
    expectInvalid(await post({ delegateId: 'dave', from: at(3), to: at(2), reason: 'x' }), 'to');
    expectInvalid(await post({ delegateId: 'dave', from: '2020-01-01T00:00:00Z', to: '2020-01-02T00:00:00Z', reason: 'x' }), 'to');
    expectInvalid(await post({ delegateId: 'dave', from: 'tomorrow', to: at(2), reason: 'x' }), 'from');
    expectInvalid(await post({ delegateId: 'dave', from: at(1), to: at(2), reason: 'x', scope: 'all' }), 'scope');
    expectInvalid(await s.http.delete('/me/delegations/not-a-uuid').set(s.as('carol')), 'id');
    expectError(await s.http.delete(`/me/delegations/${randomUUID()}`).set(s.as('carol')), 404);
  });

  it('refuses unauthenticated calls (401)', async () => {
    expectError(await s.http.get('/me/delegations'), 401);
    expectError(await s.http.post('/me/delegations').send({ delegateId: 'dave', from: at(1), to: at(2), reason: 'x' }), 401);
    expectError(await s.http.delete(`/me/delegations/${randomUUID()}`), 401);
    expectError(await s.http.get('/me/delegations').set('Authorization', `Bearer ${badTokens.wrongSecret('carol')}`), 401);
  });
});
