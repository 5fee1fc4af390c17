import { describeValue, isRecord } from '../sla/json-check';
import type { ApprovalType, FieldSpec, FieldValue, FieldValues } from './types';

/** A problem with one submitted field, named as the API reports it: `fields.amount.value`. */
export interface FieldProblem {
  field: string;
  message: string;
}

export const DEFAULT_MAX_LENGTH: Record<'string' | 'text', number> = { string: 200, text: 10_000 };

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const USER_ID = /^[A-Za-z0-9._-]{1,64}$/;
const CURRENCY = /^[A-Z]{3}$/;

function isDate(value: string): boolean {
  const m = DATE.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

function checkNumber(value: unknown, spec: FieldSpec, field: string, out: FieldProblem[]): number | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    out.push({ field, message: `${field} must be a number, not ${describeValue(value)}` });
    return undefined;
  }
  if (spec.min !== undefined && value < spec.min) out.push({ field, message: `${field} must be at least ${spec.min}` });
  if (spec.max !== undefined && value > spec.max) out.push({ field, message: `${field} must be at most ${spec.max}` });
  return value;
}

function checkValue(value: unknown, spec: FieldSpec, field: string, out: FieldProblem[]): FieldValue | undefined {
  switch (spec.type) {
    case 'string':
    case 'text': {
      const max = spec.maxLength ?? DEFAULT_MAX_LENGTH[spec.type];
      if (typeof value !== 'string' || value.trim().length === 0) {
        out.push({ field, message: `${field} must be a non-empty string` });
        return undefined;
      }
      if (value.length > max) out.push({ field, message: `${field} must be at most ${max} characters` });
      return value.trim();
    }
    case 'number':
      return checkNumber(value, spec, field, out);
    case 'money': {
      if (!isRecord(value)) {
        out.push({ field, message: `${field} must be an object { value, currency }, not ${describeValue(value)}` });
        return undefined;
      }
      for (const key of Object.keys(value)) {
        if (key !== 'value' && key !== 'currency') out.push({ field: `${field}.${key}`, message: `${field}.${key} is not a part of money (value, currency)` });
      }
      const amount = checkNumber(value.value, spec, `${field}.value`, out);
      const currency = value.currency;
      if (typeof currency !== 'string' || !CURRENCY.test(currency)) {
        out.push({ field: `${field}.currency`, message: `${field}.currency must be an ISO 4217 code such as CNY, not ${describeValue(currency)}` });
        return undefined;
      }
      if (spec.currencies && !spec.currencies.includes(currency)) {
        out.push({ field: `${field}.currency`, message: `${field}.currency must be one of ${spec.currencies.join(', ')}` });
      }
      return amount === undefined ? undefined : { value: amount, currency };
    }
    case 'date':
      if (typeof value !== 'string' || !isDate(value)) {
        out.push({ field, message: `${field} must be a date (YYYY-MM-DD), not ${describeValue(value)}` });
        return undefined;
      }
      return value;
    case 'user':
      if (typeof value !== 'string' || !USER_ID.test(value)) {
        out.push({ field, message: `${field} must be a directory user id, not ${describeValue(value)}` });
        return undefined;
      }
      return value;
    case 'enum':
      if (typeof value !== 'string' || !spec.values?.includes(value)) {
        out.push({ field, message: `${field} must be one of ${spec.values?.join(', ')}, not ${describeValue(value)}` });
        return undefined;
      }
      return value;
  }
}

export type FieldsResult = { ok: true; values: FieldValues } | { ok: false; problems: FieldProblem[] };

/**
 * Checks a request's fields against its type: every problem is reported, each naming its field as the API's
 * 400 does (`fields.amount.value`). Unknown fields are refused, as unknown body fields are. `null` counts as
 * absent for optional fields.
 */
export function validateFields(type: ApprovalType, fields: unknown, prefix = 'fields'): FieldsResult {
  const out: FieldProblem[] = [];
  if (!isRecord(fields)) return { ok: false, problems: [{ field: prefix, message: `${prefix} must be an object, not ${describeValue(fields)}` }] };
  const values: FieldValues = {};
  for (const key of Object.keys(fields)) {
    if (!Object.prototype.hasOwnProperty.call(type.fields, key)) out.push({ field: `${prefix}.${key}`, message: `${prefix}.${key} is not a field of this request type` });
  }
  for (const [name, spec] of Object.entries(type.fields)) {
    const field = `${prefix}.${name}`;
    const value = fields[name];
    if (value === undefined || value === null) {
      if (spec.required) out.push({ field, message: `${field} is required` });
      continue;
    }
    const checked = checkValue(value, spec, field, out);
    if (checked !== undefined) values[name] = checked;
  }
  return out.length > 0 ? { ok: false, problems: out } : { ok: true, values };
}

/** The directory ids a request's `user` fields name: the API checks they exist. */
export function userFieldValues(type: ApprovalType, values: FieldValues): { field: string; userId: string }[] {
  return Object.entries(type.fields)
    .filter(([name, spec]) => spec.type === 'user' && typeof values[name] === 'string')
    .map(([name]) => ({ field: `fields.${name}`, userId: values[name] as string }));
}
