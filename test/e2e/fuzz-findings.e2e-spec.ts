/**
 * Regressions for what the Schemathesis run (api-fuzz.e2e-spec.ts) found: each input below once got a 5xx or a
 * 4xx outside the contract's error shape. Validation runs before the case is looked up, so unknown ids suffice.
 */
import { randomUUID } from 'node:crypto';
import { expectInvalid } from '../support/access';
import { startSteward, Steward } from '../support/steward';

describe('inputs found by fuzzing', () => {
  let s: Steward;

  beforeAll(async () => {
    s = await startSteward({}, { worker: false });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('refuses a PIP revision with goals: null with a 400 naming goals (was a 500)', async () => {
    expectInvalid(await s.http.post(`/pips/${randomUUID()}/revisions`).set(s.as('bob')).send({ goals: null }), 'goals');
  });

  it('refuses null for any revised PIP field, naming each', async () => {
    const res = await s.http.post(`/pips/${randomUUID()}/revisions`).set(s.as('bob')).send({ reason: null, duration: null, checkInEvery: null });
    expectInvalid(res, 'reason', 'duration', 'checkInEvery');
  });

  it('refuses null for revised change-request fields as the validation pipe does any other bad value (it used to skip null fields as if absent)', async () => {
    const res = await s.http.post(`/change-requests/${randomUUID()}/revisions`).set(s.as('alice')).send({ title: null, affectedSystems: null });
    expectInvalid(res, 'title', 'affectedSystems');
  });
});
