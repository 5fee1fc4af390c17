import { QUORUM_RULES, TIMEOUT_ACTIONS } from '../approval';
import { isoDurationMs } from '../duration';
import { describeValue, isRecord, JsonPath, Problems } from '../sla/json-check';
import { checkCondition } from './condition';
import { ApprovalType, ApprovalTypes, FIELD_TYPES, FieldSpec, RequestRouteLevel } from './types';

export type ApprovalTypesResult = { ok: true; types: ApprovalTypes } | { ok: false; errors: string[] };

const TYPE_NAME = /^[a-z][a-z0-9_]{0,49}$/;
const FIELD_NAME = /^[A-Za-z][A-Za-z0-9_]{0,49}$/;
const LEVEL_NAME = /^[a-z][a-z0-9_]{0,49}$/;
const ROLE = /^[A-Za-z0-9._-]{1,64}$/;
const CURRENCY = /^[A-Z]{3}$/;
const SELECTOR = /^(requester\.manager|requester\.manager\.manager|role:[A-Za-z0-9._-]{1,64}|user:[A-Za-z0-9._-]{1,64})$/;

const TYPE_KEYS = ['title', 'description', 'fields', 'route', 'fulfil'];
const FIELD_KEYS = ['type', 'label', 'description', 'required', 'maxLength', 'min', 'max', 'values', 'currencies'];
const LEVEL_KEYS = ['name', 'when', 'approvers', 'rule', 'n', 'timeout', 'onTimeout'];

function text(value: unknown, path: JsonPath, problems: Problems, max: number): string | undefined {
  if (typeof value === 'string' && value.trim().length > 0 && value.length <= max) return value;
  problems.add(path, `must be a non-empty string of at most ${max} characters, not ${describeValue(value)}`);
  return undefined;
}

function parseField(json: unknown, path: JsonPath, problems: Problems): FieldSpec | undefined {
  if (!isRecord(json)) {
    problems.add(path, `must be an object, not ${describeValue(json)}`);
    return undefined;
  }
  problems.unknownKeys(json, FIELD_KEYS, path);
  const type = json.type;
  if (typeof type !== 'string' || !(FIELD_TYPES as readonly string[]).includes(type)) {
    problems.add([...path, 'type'], `must be one of ${FIELD_TYPES.join(', ')}, not ${describeValue(type)}`);
    return undefined;
  }
  const spec: FieldSpec = { type: type as FieldSpec['type'] };
  if (json.label !== undefined) spec.label = text(json.label, [...path, 'label'], problems, 200);
  if (json.description !== undefined) spec.description = text(json.description, [...path, 'description'], problems, 2000);
  if (json.required !== undefined) {
    if (typeof json.required === 'boolean') spec.required = json.required;
    else problems.add([...path, 'required'], `must be true or false, not ${describeValue(json.required)}`);
  }
  const only = (key: string, types: readonly string[]) => {
    if (json[key] !== undefined && !types.includes(spec.type)) problems.add([...path, key], `applies only to fields of type ${types.join(' or ')}`);
    return json[key] !== undefined && types.includes(spec.type);
  };
  if (only('maxLength', ['string', 'text'])) {
    const v = json.maxLength;
    if (typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 100_000) spec.maxLength = v;
    else problems.add([...path, 'maxLength'], `must be a whole number from 1 to 100000, not ${describeValue(v)}`);
  }
  for (const key of ['min', 'max'] as const) {
    if (!only(key, ['number', 'money'])) continue;
    const v = json[key];
    if (typeof v === 'number' && Number.isFinite(v)) spec[key] = v;
    else problems.add([...path, key], `must be a number, not ${describeValue(v)}`);
  }
  if (spec.min !== undefined && spec.max !== undefined && spec.min > spec.max) problems.add([...path, 'max'], 'must not be below min');
  if (spec.type === 'enum' && json.values === undefined) problems.add([...path, 'values'], 'an enum field needs its values');
  if (only('values', ['enum'])) {
    const v = json.values;
    if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string' && x.length > 0 && x.length <= 100) && new Set(v).size === v.length) {
      spec.values = [...(v as string[])];
    } else problems.add([...path, 'values'], 'must be a non-empty array of distinct non-empty strings');
  }
  if (only('currencies', ['money'])) {
    const v = json.currencies;
    if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string' && CURRENCY.test(x))) spec.currencies = [...(v as string[])];
    else problems.add([...path, 'currencies'], 'must be a non-empty array of ISO 4217 codes (CNY, USD, ...)');
  }
  return spec;
}

function parseLevel(json: unknown, fields: Record<string, FieldSpec>, path: JsonPath, problems: Problems): RequestRouteLevel | undefined {
  if (!isRecord(json)) {
    problems.add(path, `must be an object, not ${describeValue(json)}`);
    return undefined;
  }
  problems.unknownKeys(json, LEVEL_KEYS, path);
  const level: RequestRouteLevel = { name: '', approvers: '', rule: 'any' };
  if (typeof json.name === 'string' && LEVEL_NAME.test(json.name)) level.name = json.name;
  else problems.add([...path, 'name'], `must be a lower-case name (a-z, 0-9, _), not ${describeValue(json.name)}`);
  if (typeof json.approvers === 'string' && SELECTOR.test(json.approvers)) level.approvers = json.approvers;
  else {
    problems.add(
      [...path, 'approvers'],
      `must be requester.manager, requester.manager.manager, role:<role> or user:<id>, not ${describeValue(json.approvers)}`,
    );
  }
  if (typeof json.rule === 'string' && (QUORUM_RULES as readonly string[]).includes(json.rule)) level.rule = json.rule as RequestRouteLevel['rule'];
  else problems.add([...path, 'rule'], `must be one of ${QUORUM_RULES.join(', ')}, not ${describeValue(json.rule)}`);
  if (level.rule === 'n_of_m') {
    if (typeof json.n === 'number' && Number.isInteger(json.n) && json.n >= 1) level.n = json.n;
    else problems.add([...path, 'n'], `n_of_m needs n, a whole number of at least 1, not ${describeValue(json.n)}`);
  } else if (json.n !== undefined) problems.add([...path, 'n'], 'applies only to the n_of_m rule');
  if (json.when !== undefined) {
    checkCondition(json.when, fields, [...path, 'when'], problems);
    level.when = json.when as RequestRouteLevel['when'];
  }
  if (json.timeout !== undefined) {
    if (typeof json.timeout === 'string' && isoDurationMs(json.timeout) !== null) level.timeout = json.timeout;
    else problems.add([...path, 'timeout'], `must be a positive ISO 8601 duration (P3D, PT4H), not ${describeValue(json.timeout)}`);
  }
  if (json.onTimeout !== undefined) {
    if (typeof json.onTimeout === 'string' && (TIMEOUT_ACTIONS as readonly string[]).includes(json.onTimeout)) level.onTimeout = json.onTimeout as RequestRouteLevel['onTimeout'];
    else problems.add([...path, 'onTimeout'], `must be one of ${TIMEOUT_ACTIONS.join(', ')}, not ${describeValue(json.onTimeout)}`);
  }
  if (json.timeout !== undefined && json.onTimeout === undefined) problems.add([...path, 'onTimeout'], 'a timeout needs onTimeout (escalate, approve or reject)');
  if (json.onTimeout !== undefined && json.timeout === undefined) problems.add([...path, 'timeout'], 'onTimeout needs a timeout');
  return level;
}

function parseType(json: unknown, path: JsonPath, problems: Problems): ApprovalType | undefined {
  if (!isRecord(json)) {
    problems.add(path, `must be an object, not ${describeValue(json)}`);
    return undefined;
  }
  problems.unknownKeys(json, TYPE_KEYS, path);
  const type: ApprovalType = { title: text(json.title, [...path, 'title'], problems, 200) ?? '', fields: {}, route: [] };
  if (json.description !== undefined) type.description = text(json.description, [...path, 'description'], problems, 2000);
  if (!isRecord(json.fields)) problems.add([...path, 'fields'], `must be an object of field definitions, not ${describeValue(json.fields)}`);
  else {
    for (const [name, field] of Object.entries(json.fields)) {
      if (!FIELD_NAME.test(name)) problems.add([...path, 'fields', name], 'field names start with a letter and use letters, digits and _');
      const spec = parseField(field, [...path, 'fields', name], problems);
      if (spec) type.fields[name] = spec;
    }
  }
  if (!Array.isArray(json.route) || json.route.length === 0) problems.add([...path, 'route'], 'must be a non-empty array of levels');
  else {
    const names = new Set<string>();
    json.route.forEach((l, i) => {
      const level = parseLevel(l, type.fields, [...path, 'route', i], problems);
      if (!level) return;
      if (level.name && names.has(level.name)) problems.add([...path, 'route', i, 'name'], `level "${level.name}" appears twice`);
      names.add(level.name);
      type.route.push(level);
    });
  }
  if (json.fulfil !== undefined) {
    if (typeof json.fulfil === 'string' && json.fulfil.startsWith('role:') && ROLE.test(json.fulfil.slice(5))) type.fulfil = json.fulfil;
    else problems.add([...path, 'fulfil'], `must be role:<role>, not ${describeValue(json.fulfil)}`);
  }
  return type;
}

/**
 * Validates untrusted JSON (the APPROVAL_TYPES_FILE). Collects every problem, each naming its JSON path, e.g.
 * `purchase.route[1].when.>=>: unknown JSON Logic operator`. On success the types are a fresh copy.
 */
export function parseApprovalTypes(json: unknown): ApprovalTypesResult {
  const problems = new Problems();
  if (!isRecord(json)) {
    problems.add([], `must be an object of request types, not ${describeValue(json)}`);
    return { ok: false, errors: problems.errors };
  }
  if (Object.keys(json).length === 0) problems.add([], 'defines no request type');
  const types: ApprovalTypes = {};
  for (const [name, value] of Object.entries(json)) {
    if (!TYPE_NAME.test(name)) problems.add([name], 'type names are lower-case (a-z, 0-9, _), at most 50 characters');
    const type = parseType(value, [name], problems);
    if (type) types[name] = type;
  }
  return problems.count > 0 ? { ok: false, errors: problems.errors } : { ok: true, types: JSON.parse(JSON.stringify(types)) as ApprovalTypes };
}

/** The types the project ships (config/approval-types.json is exactly this). */
export const DEFAULT_APPROVAL_TYPES: ApprovalTypes = {
  purchase: {
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
  },
  budget: {
    title: 'Budget spend',
    description: 'Spending from a cost centre budget: every spend is requested and approved before it is made.',
    fields: {
      amount: { type: 'money', required: true, min: 0 },
      costCenter: { type: 'string', required: true, maxLength: 50 },
      quarter: { type: 'enum', required: true, values: ['Q1', 'Q2', 'Q3', 'Q4'] },
      justification: { type: 'text', required: true, maxLength: 5000 },
    },
    route: [
      { name: 'manager', approvers: 'requester.manager', rule: 'any', timeout: 'P2D', onTimeout: 'escalate' },
      { name: 'finance', approvers: 'role:finance', rule: 'any' },
      { name: 'executive', when: { '>': [{ var: 'amount.value' }, 50000] }, approvers: 'role:executive', rule: 'any', timeout: 'P5D', onTimeout: 'escalate' },
    ],
    fulfil: 'role:finance',
  },
  access: {
    title: 'System access',
    fields: {
      system: { type: 'string', required: true, maxLength: 100 },
      accessLevel: { type: 'enum', required: true, values: ['read', 'write', 'admin'] },
      until: { type: 'date', description: 'Access ends on this day; open-ended when absent' },
      reason: { type: 'text', required: true, maxLength: 2000 },
    },
    route: [
      { name: 'manager', approvers: 'requester.manager', rule: 'any', timeout: 'P1D', onTimeout: 'escalate' },
      { name: 'administrator', when: { '==': [{ var: 'accessLevel' }, 'admin'] }, approvers: 'role:admin', rule: 'any', timeout: 'P2D', onTimeout: 'reject' },
    ],
    fulfil: 'role:admin',
  },
  expense: {
    title: 'Expense claim',
    fields: {
      amount: { type: 'money', required: true, min: 0 },
      category: { type: 'enum', required: true, values: ['travel', 'meals', 'equipment', 'training', 'other'] },
      incurredOn: { type: 'date', required: true },
      description: { type: 'text', required: true, maxLength: 2000 },
    },
    route: [
      { name: 'manager', approvers: 'requester.manager', rule: 'any', timeout: 'P5D', onTimeout: 'approve' },
      { name: 'finance', when: { '>': [{ var: 'amount.value' }, 5000] }, approvers: 'role:finance', rule: 'any' },
    ],
    fulfil: 'role:finance',
  },
};
