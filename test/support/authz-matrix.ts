import { defaultDirectoryFile, readDirectoryFile } from '@steward/directory';
import { AccessRoute, call, NO_TOKEN } from './access';
import type { Steward } from './steward';

/**
 * The authorization matrix as data: every route of the API (method and path template, as in /docs-json), who may
 * call it according to ../shared/contract/API.md (roles, participation in the case, confidentiality), and a
 * generator that turns routes x demo users x fixture cases into cells with the status each caller must get.
 *
 * Expected answers:
 * - reading a case: 200 for its readers; 403 for anyone else, 404 when the case type is confidential (PIPs);
 * - lists: 200 for everyone, and a fixture case is listed exactly for its readers;
 * - acting on a case: an allowed caller is not refused (401/403/404) and gets no 5xx; the case's state may answer
 *   409, and a 400 from a check that runs after the caller's (a transfer to the current owner) is fine too;
 *   anyone else gets 403 (or `refusedWith`), 404 when they may not even read a confidential case. Refused
 *   actions run before allowed ones, so a refusal never meets a case an allowed action changed;
 * - routes for roles: 2xx for holders, 403 for the rest; the caller's own things (`owned`): 404 for others.
 */

export type CaseType = 'change_request' | 'complaint' | 'pip' | 'crisis' | 'approval_request';

const directory = readDirectoryFile(process.env.DIRECTORY_FILE ?? defaultDirectoryFile());
/** Every demo user with their roles. */
export const USERS: ReadonlyMap<string, readonly string[]> = new Map(directory.users.map((u) => [u.id, u.roles]));
export const managerOf = (id: string): string | null => directory.users.find((u) => u.id === id)?.managerId ?? null;
/** Demo users holding any of `roles`. */
export const holders = (...roles: string[]): string[] => [...USERS].filter(([, r]) => r.some((x) => roles.includes(x))).map(([id]) => id);
export const OVERSIGHT = holders('auditor', 'admin');

/** A case made by the fixtures, with the people the contract says take part in it. */
export interface Fixture {
  caseType: CaseType;
  /** A short name for failure messages (`cr-A`). */
  name: string;
  id: string;
  /** Who may read it (participants, reader roles, auditors and admins). */
  readers: string[];
  /** Who may take each action, by action name as used in `MatrixRoute.action`. */
  actors: Record<string, string[]>;
  /** Ids of sub-resources (crisis statements and actions). */
  sub?: Record<string, string>;
  /** Who acted on it while the fixtures were made (beyond the actors above). */
  setUpBy: string[];
}

/** Where each case type's audit trail is read. */
export const AUDIT_PATHS: Record<CaseType, (id: string) => string> = {
  change_request: (id) => `/change-requests/${id}/audit`,
  complaint: (id) => `/complaints/${id}/audit`,
  pip: (id) => `/pips/${id}/audit`,
  crisis: (id) => `/crises/${id}/audit`,
  approval_request: (id) => `/approval-requests/${id}/audit`,
};

/**
 * Audit events on the fixtures by anyone who was neither allowed an action on them nor set them up: a refused
 * call that changed a case anyway would show here even if its answer looked like a refusal.
 */
export async function actorsWithoutLeave(s: Steward, fixtures: Fixture[]): Promise<{ events: number; found: string[] }> {
  const found: string[] = [];
  let events = 0;
  for (const f of fixtures) {
    const res = await s.http.get(`${AUDIT_PATHS[f.caseType](f.id)}?limit=200`).set(s.as('audrey'));
    if (res.status !== 200) throw new Error(`audit of ${f.name} answered ${res.status}`);
    const leave = new Set(['system', ...f.setUpBy, ...Object.values(f.actors).flat()]);
    for (const e of res.body.items as { actorId: string; action: string }[]) {
      events += 1;
      if (!leave.has(e.actorId)) found.push(`${f.name}: ${e.action} by ${e.actorId}`);
    }
  }
  return { events, found };
}

export type RouteAccess =
  /** No token needed. */
  | { kind: 'public' }
  /** Any authenticated user. */
  | { kind: 'anyone' }
  /** Holders of these roles (2xx), anyone else 403. */
  | { kind: 'roles'; roles: string[] }
  /** Callers listed by the fixture data (2xx, or 409 from state), anyone else 403. */
  | { kind: 'callers'; callers: string[] }
  /** A list of cases of `caseType`: 200 for all, and each fixture listed exactly for its readers. */
  | { kind: 'list'; caseType: CaseType }
  /** Reading one case of `caseType`. */
  | { kind: 'read'; caseType: CaseType }
  /** An action on one case of `caseType`: `action` names the fixture's actors. */
  | { kind: 'act'; caseType: CaseType; action: string; refusedWith?: number[] }
  /** Something one user owns (a delegation, a notification): 2xx for the owner, 404 for everyone else. */
  | { kind: 'owned'; thing: string };

export interface MatrixRoute {
  method: AccessRoute['method'];
  /** The path template exactly as /docs-json names it. */
  path: string;
  access: RouteAccess;
  /** A body the route accepts, so only the caller decides the answer. */
  body?: (user: string, f?: Fixture) => object;
}

/** Everything the generator needs besides the table: the fixtures and the ids of owned things. */
export interface MatrixWorld {
  fixtures: Fixture[];
  /** Owned things: the owner and the path parameters that name the thing. */
  owned: Record<string, { owner: string; params: Record<string, string> }>;
  /** Callers of `callers` routes, by path. */
  callers?: Record<string, string[]>;
  /** Path parameters of routes that name something other than a fixture (a webhook subscription), by path. */
  params?: Record<string, Record<string, string>>;
}

const soon = (h: number) => new Date(Date.now() + h * 3600_000).toISOString();
const otherThan = (user: string, ...candidates: string[]) => candidates.find((c) => c !== user) as string;

/** Every route of the API. A route added to the API without a row here fails the coverage test. */
export const MATRIX_ROUTES: MatrixRoute[] = [
  // --- common -----------------------------------------------------------------------------------------------
  { method: 'get', path: '/health', access: { kind: 'public' } },
  { method: 'get', path: '/me', access: { kind: 'anyone' } },
  { method: 'get', path: '/tasks', access: { kind: 'anyone' } },
  { method: 'get', path: '/notifications', access: { kind: 'anyone' } },
  { method: 'post', path: '/notifications/{id}/read', access: { kind: 'owned', thing: 'notification' } },
  { method: 'get', path: '/approval-types', access: { kind: 'anyone' } },
  { method: 'get', path: '/me/delegations', access: { kind: 'anyone' } },
  {
    method: 'post',
    path: '/me/delegations',
    access: { kind: 'anyone' },
    // Far in the future, so no fixture's approvals move. tina, who is delegated to, may not delegate on (409).
    body: (u) => ({ delegateId: otherThan(u, 'tina', 'sam'), from: soon(24 * 400), to: soon(24 * 401), reason: 'Annual leave' }),
  },
  { method: 'delete', path: '/me/delegations/{id}', access: { kind: 'owned', thing: 'delegation' } },
  { method: 'get', path: '/me/notification-preferences', access: { kind: 'anyone' } },
  {
    method: 'put',
    path: '/me/notification-preferences',
    access: { kind: 'anyone' },
    body: () => ({ timeZone: 'Asia/Shanghai', preferences: [{ kind: 'approval_requested', channels: ['in_app', 'email'] }] }),
  },
  // --- webhooks (admins); the subscription is the world's, deleted last -------------------------------------
  { method: 'get', path: '/webhooks', access: { kind: 'roles', roles: ['admin'] } },
  {
    method: 'post',
    path: '/webhooks',
    access: { kind: 'roles', roles: ['admin'] },
    body: () => ({ url: 'http://127.0.0.1:9/steward', eventKinds: ['matrix_never_sent'] }),
  },
  { method: 'get', path: '/webhooks/{id}/deliveries', access: { kind: 'roles', roles: ['admin'] } },
  { method: 'post', path: '/webhooks/{id}/ping', access: { kind: 'roles', roles: ['admin'] } },
  { method: 'delete', path: '/webhooks/{id}', access: { kind: 'roles', roles: ['admin'] } },
  // --- audit (auditors and admins) --------------------------------------------------------------------------
  { method: 'get', path: '/audit/events', access: { kind: 'roles', roles: ['auditor', 'admin'] } },
  { method: 'get', path: '/audit/export', access: { kind: 'roles', roles: ['auditor', 'admin'] } },
  { method: 'get', path: '/audit/verify', access: { kind: 'roles', roles: ['auditor', 'admin'] } },
  { method: 'get', path: '/audit/access-log', access: { kind: 'roles', roles: ['auditor', 'admin'] } },
  { method: 'get', path: '/cases/{caseType}/{caseId}/history', access: { kind: 'roles', roles: ['auditor', 'admin'] } },
  // --- reports ------------------------------------------------------------------------------------------------
  { method: 'get', path: '/reports/complaints', access: { kind: 'roles', roles: ['team_lead', 'supervisor', 'manager', 'executive', 'auditor', 'admin'] } },
  { method: 'get', path: '/reports/approvals', access: { kind: 'roles', roles: ['manager', 'finance', 'executive', 'auditor', 'admin'] } },
  // --- change requests ----------------------------------------------------------------------------------------
  {
    method: 'post',
    path: '/change-requests',
    access: { kind: 'anyone' },
    body: (u) => ({
      // Standard (pre-approved): users without a manager (grace, root) can submit it too.
      title: `Matrix change by ${u}`,
      description: 'x',
      type: 'standard',
      probability: 'low',
      impact: 'low',
      affectedSystems: ['edge'],
      plannedStart: soon(24),
      plannedEnd: soon(26),
      rollbackPlan: 'undo',
      implementerId: otherThan(u, 'ivan', 'eve'),
    }),
  },
  { method: 'get', path: '/change-requests', access: { kind: 'list', caseType: 'change_request' } },
  { method: 'get', path: '/change-requests/{id}', access: { kind: 'read', caseType: 'change_request' } },
  { method: 'get', path: '/change-requests/{id}/audit', access: { kind: 'read', caseType: 'change_request' } },
  // A caller who takes part in the change but is not asked for a decision now hears that no decision is pending.
  { method: 'post', path: '/change-requests/{id}/decisions', access: { kind: 'act', caseType: 'change_request', action: 'decide', refusedWith: [403, 409] }, body: () => ({ decision: 'approve' }) },
  { method: 'post', path: '/change-requests/{id}/revisions', access: { kind: 'act', caseType: 'change_request', action: 'revise' }, body: () => ({ title: 'Revised' }) },
  { method: 'post', path: '/change-requests/{id}/implementation', access: { kind: 'act', caseType: 'change_request', action: 'implement' }, body: () => ({ event: 'started', note: 'go' }) },
  { method: 'post', path: '/change-requests/{id}/verification', access: { kind: 'act', caseType: 'change_request', action: 'verify' }, body: () => ({ outcome: 'verified', note: 'ok' }) },
  // Who asks is checked before the change's state: a caller who may never review it gets 403.
  { method: 'post', path: '/change-requests/{id}/review', access: { kind: 'act', caseType: 'change_request', action: 'review' }, body: () => ({ note: 'reviewed' }) },
  { method: 'post', path: '/change-requests/{id}/withdraw', access: { kind: 'act', caseType: 'change_request', action: 'withdraw' }, body: () => ({ reason: 'not needed' }) },
  // --- complaints ------------------------------------------------------------------------------------------------
  {
    method: 'post',
    path: '/complaints',
    access: { kind: 'roles', roles: ['agent', 'team_lead', 'supervisor'] },
    body: (u) => ({ customer: { id: 'C-M', name: 'Matrix Ltd', tier: 'B' }, channel: 'email', subject: `Matrix complaint by ${u}`, description: 'x', severity: 'low' }),
  },
  { method: 'get', path: '/complaints', access: { kind: 'list', caseType: 'complaint' } },
  { method: 'get', path: '/complaints/{id}', access: { kind: 'read', caseType: 'complaint' } },
  { method: 'get', path: '/complaints/{id}/audit', access: { kind: 'read', caseType: 'complaint' } },
  // To the current owner: the caller is checked first (403), then the target (400 "already owns"), so the
  // complaint keeps its owner for the actions after it.
  { method: 'post', path: '/complaints/{id}/transfers', access: { kind: 'act', caseType: 'complaint', action: 'transfer' }, body: (u, f) => ({ toUserId: f?.actors.respond[0] ?? 'sam', reason: 'cover' }) },
  { method: 'post', path: '/complaints/{id}/priority', access: { kind: 'act', caseType: 'complaint', action: 'priority' }, body: () => ({ severity: 'high', reason: 'louder' }) },
  { method: 'post', path: '/complaints/{id}/pause', access: { kind: 'act', caseType: 'complaint', action: 'pause' }, body: () => ({ reason: 'waiting' }) },
  { method: 'post', path: '/complaints/{id}/resume', access: { kind: 'act', caseType: 'complaint', action: 'resume' }, body: () => ({}) },
  { method: 'post', path: '/complaints/{id}/responses', access: { kind: 'act', caseType: 'complaint', action: 'respond' }, body: () => ({ message: 'Hello' }) },
  { method: 'post', path: '/complaints/{id}/compensation/decisions', access: { kind: 'act', caseType: 'complaint', action: 'compensation' }, body: () => ({ decision: 'approve' }) },
  { method: 'post', path: '/complaints/{id}/resolution', access: { kind: 'act', caseType: 'complaint', action: 'resolve' }, body: () => ({ summary: 'Done' }) },
  { method: 'post', path: '/complaints/{id}/feedback', access: { kind: 'act', caseType: 'complaint', action: 'feedback' }, body: () => ({ satisfied: false, comment: 'still broken' }) },
  // --- performance improvement plans (confidential) -------------------------------------------------------------
  { method: 'post', path: '/pips', access: { kind: 'callers', callers: ['bob'] }, body: () => pipDraft('eve') },
  { method: 'get', path: '/pips', access: { kind: 'list', caseType: 'pip' } },
  { method: 'get', path: '/pips/{id}', access: { kind: 'read', caseType: 'pip' } },
  { method: 'get', path: '/pips/{id}/audit', access: { kind: 'read', caseType: 'pip' } },
  { method: 'post', path: '/pips/{id}/revisions', access: { kind: 'act', caseType: 'pip', action: 'revise' }, body: () => ({ reason: 'Clearer goals' }) },
  { method: 'post', path: '/pips/{id}/acknowledgement', access: { kind: 'act', caseType: 'pip', action: 'acknowledge' }, body: () => ({ acknowledged: true }) },
  { method: 'post', path: '/pips/{id}/check-ins', access: { kind: 'act', caseType: 'pip', action: 'check_in' }, body: () => ({ goals: [{ index: 0, status: 'on_track' }], note: 'fine' }) },
  { method: 'post', path: '/pips/{id}/midpoint-review', access: { kind: 'act', caseType: 'pip', action: 'midpoint_review' }, body: () => ({ note: 'halfway' }) },
  { method: 'post', path: '/pips/{id}/comments', access: { kind: 'act', caseType: 'pip', action: 'comment' }, body: () => ({ note: 'my view' }) },
  { method: 'post', path: '/pips/{id}/outcome', access: { kind: 'act', caseType: 'pip', action: 'outcome' }, body: () => ({ outcome: 'passed', note: 'well done' }) },
  { method: 'post', path: '/pips/{id}/decisions', access: { kind: 'act', caseType: 'pip', action: 'decide' }, body: () => ({ decision: 'approve' }) },
  { method: 'post', path: '/pips/{id}/withdraw', access: { kind: 'act', caseType: 'pip', action: 'withdraw' }, body: () => ({ reason: 'no longer needed' }) },
  // --- crises ------------------------------------------------------------------------------------------------------
  {
    method: 'post',
    path: '/crises',
    access: { kind: 'roles', roles: ['supervisor', 'manager', 'executive'] },
    body: (u) => ({ title: `Matrix crisis by ${u}`, description: 'x', severity: 'general', category: 'operational', commanderId: 'mike', commsLeadId: 'priya', legalId: 'leo' }),
  },
  { method: 'get', path: '/crises', access: { kind: 'list', caseType: 'crisis' } },
  { method: 'get', path: '/crises/{id}', access: { kind: 'read', caseType: 'crisis' } },
  { method: 'get', path: '/crises/{id}/audit', access: { kind: 'read', caseType: 'crisis' } },
  { method: 'get', path: '/crises/{id}/statements', access: { kind: 'read', caseType: 'crisis' } },
  { method: 'post', path: '/crises/{id}/statements', access: { kind: 'act', caseType: 'crisis', action: 'draft' }, body: () => ({ kind: 'update', audience: ['employees'], text: 'We are on it' }) },
  { method: 'post', path: '/crises/{id}/statements/{statementId}/decisions', access: { kind: 'act', caseType: 'crisis', action: 'decide_statement' }, body: () => ({ decision: 'approve' }) },
  { method: 'post', path: '/crises/{id}/actions', access: { kind: 'act', caseType: 'crisis', action: 'add_action' }, body: () => ({ title: 'Call back', ownerId: 'eve', dueAt: soon(48) }) },
  { method: 'post', path: '/crises/{id}/actions/{actionId}/complete', access: { kind: 'act', caseType: 'crisis', action: 'complete_action' }, body: () => ({ note: 'done' }) },
  { method: 'post', path: '/crises/{id}/post-mortem/decisions', access: { kind: 'act', caseType: 'crisis', action: 'decide_post_mortem' }, body: () => ({ decision: 'approve' }) },
  { method: 'post', path: '/crises/{id}/recovery', access: { kind: 'act', caseType: 'crisis', action: 'recover' }, body: () => ({ note: 'stable' }) },
  { method: 'post', path: '/crises/{id}/post-mortem', access: { kind: 'act', caseType: 'crisis', action: 'post_mortem' }, body: () => ({ summary: 's', rootCause: 'r', lessons: ['l'] }) },
  // --- approval requests -----------------------------------------------------------------------------------------
  {
    method: 'post',
    path: '/approval-requests',
    access: { kind: 'anyone' },
    body: (u) => ({ type: 'purchase', title: `Matrix purchase by ${u}`, fields: { amount: { value: 100, currency: 'CNY' }, vendor: 'Acme', justification: 'x' } }),
  },
  { method: 'get', path: '/approval-requests', access: { kind: 'list', caseType: 'approval_request' } },
  { method: 'get', path: '/approval-requests/{id}', access: { kind: 'read', caseType: 'approval_request' } },
  { method: 'get', path: '/approval-requests/{id}/audit', access: { kind: 'read', caseType: 'approval_request' } },
  // As for changes: a participant not asked for a decision now hears that none is pending.
  { method: 'post', path: '/approval-requests/{id}/decisions', access: { kind: 'act', caseType: 'approval_request', action: 'decide', refusedWith: [403, 409] }, body: () => ({ decision: 'approve' }) },
  { method: 'post', path: '/approval-requests/{id}/revisions', access: { kind: 'act', caseType: 'approval_request', action: 'revise' }, body: () => ({ title: 'Revised' }) },
  { method: 'post', path: '/approval-requests/{id}/fulfilment', access: { kind: 'act', caseType: 'approval_request', action: 'fulfil' }, body: () => ({ note: 'ordered' }) },
  { method: 'post', path: '/approval-requests/{id}/withdraw', access: { kind: 'act', caseType: 'approval_request', action: 'withdraw' }, body: () => ({ reason: 'not needed' }) },
];

export function pipDraft(employeeId: string): object {
  return {
    employeeId,
    reason: 'Missed targets',
    goals: [{ title: 'Ship it', measure: 'Released', target: 'Week 4' }],
    resources: 'Pairing',
    support: 'Weekly 1:1',
    duration: 'P60D',
    checkInEvery: 'P14D',
  };
}

/** `METHOD /path/{template}` as the coverage test compares it with /docs-json. */
export const routeKey = (r: { method: string; path: string }) => `${r.method.toUpperCase()} ${r.path}`;

/** What a cell's caller must get. */
export type CellExpectation =
  | { status: number }
  /** One of these statuses (a refusal whose 403/409 depends on the case's state). */
  | { oneOf: number[] }
  /** Allowed: not refused (401/403/404), not a server error; the state may answer 409, a later check 400. */
  | { allowed: true }
  /** A list: 200, with each of `listed` present and each of `unlisted` absent. */
  | { status: 200; listed: string[]; unlisted: string[] };

export interface Cell {
  route: MatrixRoute;
  caller: string;
  fixture?: Fixture;
  /** The concrete request. */
  request: AccessRoute;
  expect: CellExpectation;
  /** 0: reads and refusals (order-free); 1: allowed actions (they change cases, so they run last, in order). */
  phase: 0 | 1;
}

function fill(template: string, params: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    if (!(name in params)) throw new Error(`no value for {${name}} in ${template}`);
    return params[name];
  });
}

/** Every cell: each route, as each demo user (and without a token), on each fixture of the route's case type. */
export function generateCells(world: MatrixWorld, routes: MatrixRoute[] = MATRIX_ROUTES): Cell[] {
  const cells: Cell[] = [];
  const users = [...USERS.keys()];
  for (const route of routes) {
    const a = route.access;
    const caseType = 'caseType' in a ? a.caseType : undefined;
    const fixtures = a.kind === 'read' || a.kind === 'act' ? world.fixtures.filter((f) => f.caseType === caseType) : [undefined];
    if (fixtures.length === 0) throw new Error(`no fixture of ${caseType} for ${routeKey(route)}`);
    for (const f of fixtures) {
      let params: Record<string, string> = f ? { id: f.id, ...(f.sub ?? {}) } : {};
      if (a.kind === 'owned') params = world.owned[a.thing].params;
      if (world.params?.[route.path]) params = world.params[route.path];
      if (route.path === '/cases/{caseType}/{caseId}/history') {
        const any = world.fixtures[0];
        params = { caseType: any.caseType, caseId: any.id };
      }
      const path = fill(route.path, params);
      const requestFor = (caller: string): AccessRoute => ({
        method: route.method,
        path,
        body: route.body?.(caller, f),
        label: `${routeKey(route)}${f ? ` [${f.name}]` : ''}`,
      });
      // Without a token: 401 everywhere but the public routes.
      if (a.kind !== 'public') cells.push({ route, caller: NO_TOKEN, fixture: f, request: requestFor(NO_TOKEN), expect: { status: 401 }, phase: 0 });
      for (const user of users) {
        const roles = USERS.get(user) ?? [];
        let expect: CellExpectation;
        let phase: 0 | 1 = 0;
        switch (a.kind) {
          case 'public':
          case 'anyone':
            expect = route.method === 'get' ? { status: 200 } : { allowed: true };
            phase = route.method === 'get' ? 0 : 1;
            break;
          case 'roles': {
            const may = roles.some((r) => a.roles.includes(r));
            expect = may ? (route.method === 'get' ? { status: 200 } : { allowed: true }) : { status: 403 };
            phase = may && route.method !== 'get' ? 1 : 0;
            break;
          }
          case 'callers': {
            const may = a.callers.includes(user);
            expect = may ? { allowed: true } : { status: 403 };
            phase = may ? 1 : 0;
            break;
          }
          case 'owned': {
            const mine = world.owned[a.thing].owner === user;
            expect = mine ? { allowed: true } : { status: 404 };
            phase = mine ? 1 : 0;
            break;
          }
          case 'list': {
            const ofType = world.fixtures.filter((x) => x.caseType === a.caseType);
            expect = { status: 200, listed: ofType.filter((x) => x.readers.includes(user)).map((x) => x.id), unlisted: ofType.filter((x) => !x.readers.includes(user)).map((x) => x.id) };
            break;
          }
          case 'read': {
            const fx = f as Fixture;
            expect = { status: fx.readers.includes(user) ? 200 : confidential(fx) ? 404 : 403 };
            break;
          }
          case 'act': {
            const fx = f as Fixture;
            const actors = fx.actors[a.action];
            if (!actors) throw new Error(`fixture ${fx.name} names no actors for ${a.action} (${routeKey(route)})`);
            if (actors.includes(user)) {
              expect = { allowed: true };
              phase = 1;
            } else if (confidential(fx) && !fx.readers.includes(user)) expect = { status: 404 };
            else expect = a.refusedWith ? { oneOf: a.refusedWith } : { status: 403 };
            break;
          }
        }
        cells.push({ route, caller: user, fixture: f, request: requestFor(user), expect, phase });
      }
    }
  }
  return cells;
}

const confidential = (f: Fixture) => f.caseType === 'pip';

const REASONS: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict' };

/** Why the answer to a cell is wrong, or null. Refusals must be in the contract's error shape. */
export function cellProblem(cell: Cell, status: number, body: unknown): string | null {
  const e = cell.expect;
  const shown = JSON.stringify(body)?.slice(0, 160);
  if (status >= 400) {
    const b = body as { statusCode?: unknown; error?: unknown; message?: unknown; details?: unknown } | null;
    if (!b || b.statusCode !== status || (REASONS[status] && b.error !== REASONS[status]) || typeof b.message !== 'string' || !Array.isArray(b.details)) {
      return `${status} not in the contract's error shape: ${shown}`;
    }
  }
  if ('allowed' in e) {
    if (status >= 500 || [401, 403, 404].includes(status)) return `${status} for an allowed caller: ${shown}`;
    return null;
  }
  if ('oneOf' in e) return e.oneOf.includes(status) ? null : `${status} (wanted one of ${e.oneOf.join('/')}): ${shown}`;
  if (status !== e.status) return `${status} (wanted ${e.status}): ${shown}`;
  if ('listed' in e) {
    const ids = ((body as { items?: { id: string }[] }).items ?? []).map((i) => i.id);
    const missing = e.listed.filter((id) => !ids.includes(id));
    const leaked = e.unlisted.filter((id) => ids.includes(id));
    if (missing.length || leaked.length) return `list shows ${leaked.join(', ') || 'nothing it should not'} and misses ${missing.join(', ') || 'nothing'}`;
  }
  return null;
}

/** Runs the cells (reads and refusals a few at a time, then allowed actions one by one) and lists every failure. */
export async function runCells(s: Steward, cells: Cell[], concurrency = 6): Promise<{ checked: number; failures: string[] }> {
  const failures: string[] = [];
  const runOne = async (cell: Cell) => {
    const res = await call(s, cell.request, cell.caller);
    const problem = cellProblem(cell, res.status, res.body);
    if (problem) failures.push(`${cell.request.label} as ${cell.caller}: ${problem}`);
  };
  const first = cells.filter((c) => c.phase === 0);
  for (let i = 0; i < first.length; i += concurrency) await Promise.all(first.slice(i, i + concurrency).map(runOne));
  for (const cell of cells.filter((c) => c.phase === 1)) await runOne(cell);
  return { checked: cells.length, failures };
}
