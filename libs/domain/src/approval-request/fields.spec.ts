import { DEFAULT_APPROVAL_TYPES } from './types-file';
import { validateFields } from './fields';
import type { ApprovalType } from './types';

const purchase = DEFAULT_APPROVAL_TYPES.purchase;

describe('validateFields', () => {
  it('accepts a complete purchase and trims text', () => {
    expect(validateFields(purchase, { amount: { value: 120, currency: 'CNY' }, vendor: ' Lenovo ', justification: 'Laptops' })).toEqual({
      ok: true,
      values: { amount: { value: 120, currency: 'CNY' }, vendor: 'Lenovo', justification: 'Laptops' },
    });
  });

  it('names every bad field as the API reports it', () => {
    const result = validateFields(purchase, { amount: { value: 'lots', currency: 'yuan', vat: 1 }, vendor: 'x'.repeat(201), colour: 'red' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.field).sort()).toEqual(
      ['fields.amount.currency', 'fields.amount.value', 'fields.amount.vat', 'fields.colour', 'fields.justification', 'fields.vendor'].sort(),
    );
  });

  it('checks each field type: number bounds, dates, enums, user ids; optional fields may be absent or null', () => {
    const type: ApprovalType = {
      title: 't',
      fields: {
        seats: { type: 'number', min: 1, max: 10 },
        until: { type: 'date' },
        level: { type: 'enum', values: ['read', 'write'], required: true },
        buddy: { type: 'user' },
      },
      route: [{ name: 'm', approvers: 'requester.manager', rule: 'any' }],
    };
    const bad = validateFields(type, { seats: 11, until: '2026-02-30', level: 'root', buddy: 'no spaces' });
    expect(bad.ok ? [] : bad.problems.map((p) => p.field)).toEqual(['fields.seats', 'fields.until', 'fields.level', 'fields.buddy']);
    expect(validateFields(type, { level: 'read', until: null })).toEqual({ ok: true, values: { level: 'read' } });
  });

  it('refuses names of object properties as unknown fields', () => {
    const result = validateFields(purchase, JSON.parse('{"constructor": 1, "__proto__": {"x": 1}}'));
    expect(result.ok ? [] : result.problems.map((p) => p.field)).toEqual(expect.arrayContaining(['fields.constructor']));
  });

  it('refuses fields that are not an object', () => {
    expect(validateFields(purchase, ['x'])).toEqual({ ok: false, problems: [{ field: 'fields', message: 'fields must be an object, not an array' }] });
  });
});
