import * as jsonLogic from 'json-logic-js';
import { describeValue, isRecord, JsonPath, Problems } from '../sla/json-check';
import type { Condition, FieldSpec, FieldValues } from './types';

/**
 * `when` conditions are JSON Logic, evaluated by json-logic-js, the reference implementation: the file's
 * authors get the documented language, and nothing here interprets operators itself.
 */
export function conditionHolds(when: Condition | undefined, fields: FieldValues): boolean {
  if (when === undefined) return true;
  if (typeof when === 'boolean') return when;
  return jsonLogic.truthy(jsonLogic.apply(when as jsonLogic.RulesLogic, fields));
}

const knownOperators = new Map<string, boolean>();

/** Whether json-logic-js knows the operator: it refuses unknown ones with "Unrecognized operation". */
function isKnownOperator(op: string): boolean {
  let known = knownOperators.get(op);
  if (known === undefined) {
    try {
      jsonLogic.apply({ [op]: [] } as jsonLogic.RulesLogic, {});
      known = true;
    } catch (e) {
      known = !(e instanceof Error && e.message.startsWith('Unrecognized operation'));
    }
    knownOperators.set(op, known);
  }
  return known;
}

/** Every operator in the expression is one json-logic-js knows; each unknown one is named by its path. */
function checkOperators(node: unknown, path: JsonPath, problems: Problems): void {
  if (Array.isArray(node)) {
    node.forEach((item, i) => checkOperators(item, [...path, i], problems));
    return;
  }
  if (!isRecord(node)) return;
  const keys = Object.keys(node);
  if (keys.length !== 1) {
    problems.add(path, `a JSON Logic rule has exactly one operator, found ${keys.length} keys`);
    return;
  }
  const op = keys[0];
  if (!isKnownOperator(op)) {
    problems.add([...path, op], `unknown JSON Logic operator "${op}"`);
    return;
  }
  checkOperators(node[op], [...path, op], problems);
}

/** The field a `var` name points at must exist; a money field also names `value` or `currency`. */
function checkVariable(name: string, fields: Record<string, FieldSpec>): string | null {
  if (name === '') return null;
  const [field, ...rest] = name.split('.');
  const spec = Object.prototype.hasOwnProperty.call(fields, field) ? fields[field] : undefined;
  if (!spec) return `"${name}" refers to no field; fields are ${Object.keys(fields).join(', ') || '(none)'}`;
  if (spec.type === 'money') {
    if (rest.length === 1 && (rest[0] === 'value' || rest[0] === 'currency')) return null;
    if (rest.length === 0) return null;
    return `"${name}": a money field has only value and currency`;
  }
  return rest.length === 0 ? null : `"${name}": field ${field} (${spec.type}) has no parts`;
}

/** Sample values of the right shape, to run every condition once at boot. */
export function sampleFields(fields: Record<string, FieldSpec>): FieldValues {
  const sample: FieldValues = {};
  for (const [name, spec] of Object.entries(fields)) {
    switch (spec.type) {
      case 'money':
        sample[name] = { value: spec.min ?? 0, currency: spec.currencies?.[0] ?? 'CNY' };
        break;
      case 'number':
        sample[name] = spec.min ?? 0;
        break;
      case 'enum':
        sample[name] = spec.values?.[0] ?? '';
        break;
      case 'date':
        sample[name] = '2026-01-01';
        break;
      default:
        sample[name] = 'x';
    }
  }
  return sample;
}

/**
 * Checks a `when` before it is trusted: a boolean or one JSON Logic rule, only operators the library
 * knows, `var`s naming fields of the type, and an evaluation on sample fields that does not throw.
 */
export function checkCondition(when: unknown, fields: Record<string, FieldSpec>, path: JsonPath, problems: Problems): void {
  if (typeof when === 'boolean') return;
  if (!isRecord(when)) {
    problems.add(path, `must be a JSON Logic rule (an object with one operator) or a boolean, not ${describeValue(when)}`);
    return;
  }
  const before = problems.count;
  checkOperators(when, path, problems);
  if (problems.count > before) return;
  for (const name of jsonLogic.uses_data(when) as unknown[]) {
    const problem = typeof name === 'string' ? checkVariable(name, fields) : null;
    if (problem) problems.add([...path, 'var'], problem);
  }
  if (problems.count > before) return;
  try {
    conditionHolds(when, sampleFields(fields));
  } catch (e) {
    problems.add(path, `cannot be evaluated: ${(e as Error).message}`);
  }
}
