import type { Response, Test } from 'supertest';
import { badTokens, detailFields } from './change-requests';
import type { Steward } from './steward';

/**
 * The access matrix every case type's e2e spec checks: routes x callers -> the status each caller must get,
 * in the contract's error shape. One call checks the whole matrix and reports every cell that differs.
 */

const REASONS: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 422: 'Unprocessable Entity' };

/** The contract's error body. */
export function expectError(res: Response, statusCode: number): void {
  expect({ status: res.status, body: res.body }).toEqual({
    status: statusCode,
    body: { statusCode, error: REASONS[statusCode], message: expect.any(String), details: expect.any(Array) },
  });
  expect(res.body.message.length).toBeGreaterThan(0);
}

/** A 400 whose details name (at least) `fields`. */
export function expectInvalid(res: Response, ...fields: string[]): void {
  expectError(res, 400);
  expect(detailFields(res)).toEqual(expect.arrayContaining(fields));
}

export interface AccessRoute {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** The concrete path, ids filled in. */
  path: string;
  /** A body the route would accept, so that only the caller decides the answer. */
  body?: object;
  /** How the route is named in failures; defaults to `METHOD path`. */
  label?: string;
}

/** Callers that are not directory users: no token, and tokens the API must refuse. */
export const NO_TOKEN = '<no token>';
export const WRONG_SECRET = '<token signed with another secret>';
export const EXPIRED = '<expired token>';
export const UNKNOWN_USER = '<token for a user not in the directory>';
export const MALFORMED = '<malformed bearer token>';

/** Every way of not being authenticated: 401 each. */
export const UNAUTHENTICATED = { [NO_TOKEN]: 401, [WRONG_SECRET]: 401, [EXPIRED]: 401, [UNKNOWN_USER]: 401, [MALFORMED]: 401 } as const;

/** What a caller must get: a status, or a status with the fields a 400 names / a message pattern. */
export type Expected = number | { status: number; fields?: string[]; message?: RegExp };

function authorization(s: Steward, caller: string): string | null {
  switch (caller) {
    case NO_TOKEN:
      return null;
    case WRONG_SECRET:
      return `Bearer ${badTokens.wrongSecret('alice')}`;
    case EXPIRED:
      return `Bearer ${badTokens.expired('alice', s.config.jwtSecret)}`;
    case UNKNOWN_USER:
      return `Bearer ${badTokens.unknownUser(s.config.jwtSecret)}`;
    case MALFORMED:
      return 'Bearer not.a.jwt';
    default:
      return s.as(caller).Authorization;
  }
}

export function call(s: Steward, route: AccessRoute, caller: string = NO_TOKEN): Test {
  let req = s.http[route.method](route.path);
  const auth = authorization(s, caller);
  if (auth) req = req.set('Authorization', auth);
  return route.method === 'get' || route.method === 'delete' ? req : req.send(route.body ?? {});
}

/** Why a response is not what `expected` says, or null when it is. */
function mismatch(res: Response, expected: Expected): string | null {
  const want = typeof expected === 'number' ? { status: expected } : expected;
  if (res.status !== want.status) return `${res.status} (wanted ${want.status}): ${JSON.stringify(res.body).slice(0, 200)}`;
  if (res.status < 400) return null;
  const body = res.body as { statusCode?: unknown; error?: unknown; message?: unknown; details?: unknown };
  if (body.statusCode !== res.status || body.error !== REASONS[res.status] || typeof body.message !== 'string' || !body.message || !Array.isArray(body.details)) {
    return `not the contract's error body: ${JSON.stringify(body).slice(0, 200)}`;
  }
  const named = (body.details as { field?: string }[]).map((d) => d.field);
  const unnamed = (want.fields ?? []).filter((f) => !named.includes(f));
  if (unnamed.length > 0) return `details do not name ${unnamed.join(', ')}: ${JSON.stringify(body.details)}`;
  if (want.message && !want.message.test(body.message)) return `message ${JSON.stringify(body.message)} does not match ${want.message}`;
  return null;
}

/**
 * Calls every route as every caller and expects the status given for that caller (user ids, or the
 * token constants above); fails once, listing every route and caller that answered otherwise.
 */
export async function expectAuthMatrix(s: Steward, routes: AccessRoute[], callers: Record<string, Expected>): Promise<void> {
  expect(routes.length).toBeGreaterThan(0);
  const failures: string[] = [];
  for (const route of routes) {
    for (const [caller, expected] of Object.entries(callers)) {
      const problem = mismatch(await call(s, route, caller), expected);
      if (problem) failures.push(`${route.label ?? `${route.method.toUpperCase()} ${route.path}`} as ${caller}: ${problem}`);
    }
  }
  expect(failures).toEqual([]);
}
