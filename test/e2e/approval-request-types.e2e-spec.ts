import { DEFAULT_APPROVAL_TYPES } from '@steward/domain';
import { expectInvalid, writePolicyFile } from '../support/complaints';
import { actOn, submitRequest } from '../support/approval-requests';
import { startSteward, Steward } from '../support/steward';

/** APPROVAL_TYPES_FILE: a new request type is an edit to the file, and a bad file stops the boot naming every bad entry. */

jest.setTimeout(60_000);

const TRAINING = {
  title: 'Training course',
  fields: {
    course: { type: 'string', required: true, maxLength: 100 },
    cost: { type: 'money', required: true, min: 0 },
    format: { type: 'enum', values: ['online', 'on_site'], required: true },
    mentor: { type: 'user' },
  },
  route: [
    { name: 'manager', approvers: 'requester.manager', rule: 'any' },
    { name: 'hr', when: { or: [{ '>': [{ var: 'cost.value' }, 5000] }, { '==': [{ var: 'format' }, 'on_site'] }] }, approvers: 'role:hr', rule: 'any' },
  ],
  fulfil: 'role:hr',
};

describe('a types file with a request type of its own', () => {
  let s: Steward;

  beforeAll(async () => {
    s = await startSteward({ APPROVAL_TYPES_FILE: writePolicyFile({ ...DEFAULT_APPROVAL_TYPES, training: TRAINING }) });
  });
  afterAll(() => s.close());

  it('offers the new type and routes it by its own condition, fulfilled by its own role', async () => {
    const types = (await s.http.get('/approval-types').set(s.as('alice')).expect(200)).body.items as { type: string }[];
    expect(types.map((t) => t.type)).toContain('training');

    const online = await submitRequest(s, 'alice', { type: 'training', title: 'TypeScript course', fields: { course: 'TS deep dive', cost: { value: 800, currency: 'CNY' }, format: 'online' } });
    expect(online.approvalLevels.map((l) => l.name)).toEqual(['manager']);
    const onSite = await submitRequest(s, 'alice', { type: 'training', title: 'Kubernetes workshop', fields: { course: 'K8s', cost: { value: 800, currency: 'CNY' }, format: 'on_site' } });
    expect(onSite.approvalLevels.map((l) => [l.name, l.approvers])).toEqual([
      ['manager', ['bob']],
      ['hr', ['hank']],
    ]);
    await actOn(s, onSite.id, 'decisions', 'bob', { decision: 'approve' });
    const approved = await actOn(s, onSite.id, 'decisions', 'hank', { decision: 'approve' });
    expect(approved).toMatchObject({ status: 'approved', fulfilment: { role: 'hr', assignees: ['hank'] } });
    expect((await actOn(s, onSite.id, 'fulfilment', 'hank', { note: 'Booked' })).status).toBe('fulfilled');
  });

  it('checks user fields against the directory, naming the field', async () => {
    const res = await s.http
      .post('/approval-requests')
      .set(s.as('alice'))
      .send({ type: 'training', title: 'x', fields: { course: 'x', cost: { value: 1, currency: 'CNY' }, format: 'online', mentor: 'nobody-here' } });
    expectInvalid(res, 'fields.mentor');
  });
});

describe('an invalid APPROVAL_TYPES_FILE', () => {
  it('stops the API boot with every bad entry named by its JSON path', async () => {
    const bad = JSON.parse(JSON.stringify(DEFAULT_APPROVAL_TYPES));
    bad.purchase.route[1].when = { '>>': [{ var: 'amount.value' }, 10000] };
    bad.purchase.route[2].when = { '>': [{ var: 'price' }, 1] };
    bad.expense.route[0].onTimeout = 'ignore';
    const file = writePolicyFile(bad);
    const error = await startSteward({ APPROVAL_TYPES_FILE: file }, { worker: false }).then(
      () => null,
      (e: Error & { problems?: string[] }) => e,
    );
    expect(error?.name).toBe('ConfigError');
    expect(error?.problems).toEqual([
      expect.stringMatching(/^APPROVAL_TYPES_FILE .*: purchase\.route\[1\]\.when\[">>"\]: unknown JSON Logic operator ">>"$/),
      expect.stringMatching(/^APPROVAL_TYPES_FILE .*: purchase\.route\[2\]\.when\.var: "price" refers to no field/),
      expect.stringMatching(/^APPROVAL_TYPES_FILE .*: expense\.route\[0\]\.onTimeout: must be one of escalate, approve, reject/),
    ]);
  });
});
