import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_APPROVAL_TYPES, parseApprovalTypes } from './types-file';

const purchase = () => JSON.parse(JSON.stringify(DEFAULT_APPROVAL_TYPES.purchase));

describe('parseApprovalTypes', () => {
  it('accepts the default types, and config/approval-types.json is exactly them', () => {
    expect(parseApprovalTypes(DEFAULT_APPROVAL_TYPES)).toEqual({ ok: true, types: DEFAULT_APPROVAL_TYPES });
    const file = JSON.parse(readFileSync(join(__dirname, '../../../../config/approval-types.json'), 'utf8'));
    expect(file).toEqual(DEFAULT_APPROVAL_TYPES);
    expect(Object.keys(file)).toEqual(['purchase', 'budget', 'access', 'expense']);
  });

  it('ships the purchase type exactly as the contract example', () => {
    expect(DEFAULT_APPROVAL_TYPES.purchase).toEqual({
      title: 'Purchase request',
      fields: {
        amount: { type: 'money', required: true },
        vendor: { type: 'string', required: true, maxLength: 200 },
        justification: { type: 'text', required: true },
      },
      route: [
        { name: 'manager', approvers: 'requester.manager', rule: 'any' },
        { name: 'finance', when: { '>': [{ var: 'amount.value' }, 10000] }, approvers: 'role:finance', rule: 'any' },
        { name: 'executive', when: { '>': [{ var: 'amount.value' }, 100000] }, approvers: 'role:executive', rule: 'any', timeout: 'P3D', onTimeout: 'escalate' },
      ],
      fulfil: 'role:finance',
    });
  });

  it('names every bad entry by its JSON path', () => {
    const bad = purchase();
    bad.fields.amount.type = 'currency';
    bad.fields.colour = { type: 'enum' };
    bad.route[0].approvers = 'requester.boss';
    bad.route[1].rule = 'most';
    bad.route[2].timeout = '3 days';
    bad.route.push({ name: 'board', approvers: 'role:board', rule: 'n_of_m' });
    bad.fulfil = 'finance';
    const result = parseApprovalTypes({ purchase: bad, 'Bad Name': { title: 'x', fields: {}, route: [] } });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^purchase\.fields\.amount\.type: must be one of string, text/),
        expect.stringMatching(/^purchase\.fields\.colour\.values: an enum field needs its values/),
        expect.stringMatching(/^purchase\.route\[0\]\.approvers: must be requester\.manager/),
        expect.stringMatching(/^purchase\.route\[1\]\.rule: must be one of all, any, n_of_m/),
        expect.stringMatching(/^purchase\.route\[2\]\.timeout: must be a positive ISO 8601 duration/),
        expect.stringMatching(/^purchase\.route\[3\]\.n: n_of_m needs n/),
        expect.stringMatching(/^purchase\.fulfil: must be role:<role>/),
        expect.stringMatching(/^\["Bad Name"\]: type names are lower-case/),
        expect.stringMatching(/^\["Bad Name"\]\.route: must be a non-empty array/),
      ]),
    );
  });

  it('refuses invalid JSON Logic: unknown operators (checked with json-logic-js), unknown fields in var, rules with two operators', () => {
    const bad = purchase();
    bad.route[1].when = { '>=>': [{ var: 'amount.value' }, 1] };
    bad.route[2].when = { and: [{ '>': [{ var: 'amount.total' }, 1] }, { '==': [{ var: 'supplier' }, 'x'] }] };
    bad.route[0].when = { '>': [1, 2], '<': [1, 2] };
    const result = parseApprovalTypes({ purchase: bad });
    expect(result).toEqual({
      ok: false,
      errors: [
        'purchase.route[0].when: a JSON Logic rule has exactly one operator, found 2 keys',
        'purchase.route[1].when[">=>"]: unknown JSON Logic operator ">=>"',
        'purchase.route[2].when.var: "amount.total": a money field has only value and currency',
        'purchase.route[2].when.var: "supplier" refers to no field; fields are amount, vendor, justification',
      ],
    });
  });

  it('refuses a timeout without onTimeout, onTimeout without a timeout, and unknown keys', () => {
    const bad = purchase();
    bad.route[0].timeout = 'P1D';
    bad.route[1].onTimeout = 'approve';
    bad.route[1].approver = 'role:finance';
    const result = parseApprovalTypes({ purchase: bad });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual([
      'purchase.route[0].onTimeout: a timeout needs onTimeout (escalate, approve or reject)',
      'purchase.route[1].approver: unknown key; expected one of name, when, approvers, rule, n, timeout, onTimeout',
      'purchase.route[1].timeout: onTimeout needs a timeout',
    ]);
  });
});
