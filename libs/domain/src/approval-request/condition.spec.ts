import { Problems } from '../sla/json-check';
import { checkCondition, conditionHolds } from './condition';
import type { FieldSpec } from './types';

const fields: Record<string, FieldSpec> = {
  amount: { type: 'money', required: true },
  accessLevel: { type: 'enum', values: ['read', 'admin'] },
};

describe('conditionHolds (JSON Logic by json-logic-js)', () => {
  const above10k = { '>': [{ var: 'amount.value' }, 10000] };

  it('reads money parts by dotted var names', () => {
    expect(conditionHolds(above10k, { amount: { value: 10001, currency: 'CNY' } })).toBe(true);
    expect(conditionHolds(above10k, { amount: { value: 10000, currency: 'CNY' } })).toBe(false);
  });

  it('always holds without a condition; booleans are constant', () => {
    expect(conditionHolds(undefined, {})).toBe(true);
    expect(conditionHolds(false, {})).toBe(false);
  });

  it('uses the documented operators: and, in, ==', () => {
    const rule = { and: [{ '==': [{ var: 'accessLevel' }, 'admin'] }, { in: [{ var: 'amount.currency' }, ['USD', 'EUR']] }] };
    expect(conditionHolds(rule, { accessLevel: 'admin', amount: { value: 1, currency: 'USD' } })).toBe(true);
    expect(conditionHolds(rule, { accessLevel: 'admin', amount: { value: 1, currency: 'CNY' } })).toBe(false);
  });
});

describe('checkCondition', () => {
  const check = (when: unknown) => {
    const p = new Problems();
    checkCondition(when, fields, ['t', 'when'], p);
    return p.errors;
  };

  it('accepts rules over known fields', () => {
    expect(check({ '>': [{ var: 'amount.value' }, 1] })).toEqual([]);
    expect(check({ if: [{ '==': [{ var: 'accessLevel' }, 'admin'] }, true, false] })).toEqual([]);
    expect(check(true)).toEqual([]);
  });

  it('finds unknown operators anywhere in the tree, also in branches never evaluated', () => {
    expect(check({ or: [true, { between: [1, 2, 3] }] })).toEqual(['t.when.or[1].between: unknown JSON Logic operator "between"']);
  });

  it('refuses values that are not rules', () => {
    expect(check('amount > 10')).toEqual(['t.when: must be a JSON Logic rule (an object with one operator) or a boolean, not "amount > 10"']);
    expect(check([1, 2])).toHaveLength(1);
  });
});
