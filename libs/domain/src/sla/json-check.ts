/**
 * Helpers for validating untrusted JSON. Every problem is reported against the JSON path of the value
 * that caused it, so an operator can find the line to fix in the policy file.
 */
export type JsonPath = readonly (string | number)[];

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** `priorities.P2.resolution`, `escalation[1].at`, `calendars["night shift"]`; the empty path is `(root)`. */
export function formatPath(path: JsonPath): string {
  if (path.length === 0) return '(root)';
  return path
    .map((segment, i) => {
      if (typeof segment === 'number') return `[${segment}]`;
      if (IDENTIFIER.test(segment)) return i === 0 ? segment : `.${segment}`;
      return `[${JSON.stringify(segment)}]`;
    })
    .join('');
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A short rendering of an offending value for an error message. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (isRecord(value)) return 'an object';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Collects every problem instead of stopping at the first, so one run of the validator lists them all. */
export class Problems {
  readonly errors: string[] = [];

  add(path: JsonPath, message: string): void {
    this.errors.push(`${formatPath(path)}: ${message}`);
  }

  get count(): number {
    return this.errors.length;
  }

  /** Reports keys outside `allowed` (typos like `holiday` would otherwise be silently ignored). */
  unknownKeys(value: Record<string, unknown>, allowed: readonly string[], path: JsonPath): void {
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) this.add([...path, key], `unknown key; expected one of ${allowed.join(', ')}`);
    }
  }
}
