import { randomBytes } from 'node:crypto';
import { delegate, purchaseBody, submitRequest } from '../support/approval-requests';
import { actorsWithoutLeave, Fixture, generateCells, holders, managerOf, MATRIX_ROUTES, MatrixWorld, OVERSIGHT, routeKey, runCells, USERS } from '../support/authz-matrix';
import { submitChange } from '../support/change-requests';
import { openComplaint } from '../support/complaints';
import { ActionView, crisisPost, declareCrisis, draftStatement } from '../support/crises';
import { draftPip } from '../support/pips';
import { startSteward, Steward } from '../support/steward';

/**
 * The authorization matrix: every demo user (and a caller without a token) x every route of /docs-json x the
 * fixture cases below, each cell with the status the contract gives that caller. Zero escapes: a caller the
 * contract does not allow never gets a 2xx, never sees a confidential case, and lists show each user only what
 * they may read. The table is test/support/authz-matrix.ts; a route without a row fails the coverage test.
 */

jest.setTimeout(10 * 60_000);

const holdersOf = holders;
const unique = (ids: (string | null)[]) => [...new Set(ids.filter((x): x is string => x !== null))];

describe('authorization matrix: every demo user x every route x cases they are and are not part of', () => {
  let s: Steward;
  let world: MatrixWorld;

  beforeAll(async () => {
    s = await startSteward({ WEBHOOK_SECRET_KEY: randomBytes(32).toString('hex') });
    const fixtures: Fixture[] = [];

    // Change requests: alice's (ivan implements, bob approves) and carol's (dave implements, mike approves).
    for (const [name, requester, implementer] of [
      ['cr-A', 'alice', 'ivan'],
      ['cr-B', 'carol', 'dave'],
    ] as const) {
      const cr = await submitChange(s, requester, { implementerId: implementer, title: `Matrix ${name}` });
      const approver = managerOf(requester) as string;
      expect(cr.approvalLevels.map((l) => l.approvers)).toEqual([[approver]]);
      fixtures.push({
        caseType: 'change_request',
        name,
        id: cr.id,
        readers: unique([requester, implementer, approver, ...OVERSIGHT]),
        actors: { decide: [approver], revise: [requester], implement: [implementer], verify: [requester], review: [approver], withdraw: [requester] },
        setUpBy: [requester],
      });
    }

    // A complaint logged by sam: service staff read it; its owner and the leads act on it.
    const complaint = await openComplaint(s, 'sam', { subject: 'Matrix complaint' });
    const owner = complaint.ownerId;
    const leads = holdersOf('team_lead', 'supervisor').filter((u) => u !== owner);
    const ownerOrLead = [owner, ...leads];
    fixtures.push({
      caseType: 'complaint',
      name: 'complaint',
      id: complaint.id,
      readers: unique([...holdersOf('agent', 'team_lead', 'supervisor'), 'sam', owner, ...OVERSIGHT]),
      actors: {
        respond: [owner],
        transfer: ownerOrLead,
        priority: ownerOrLead,
        pause: ownerOrLead,
        resume: ownerOrLead,
        resolve: [owner],
        compensation: holdersOf('supervisor').filter((u) => u !== owner),
        feedback: unique([owner, ...holdersOf('agent', 'team_lead', 'supervisor')]),
      },
      setUpBy: ['sam'],
    });

    // PIPs (confidential): bob's plan for alice and lena's for sam, both waiting for HR (hank).
    for (const [name, manager, employee] of [
      ['pip-A', 'bob', 'alice'],
      ['pip-B', 'lena', 'sam'],
    ] as const) {
      const pip = await draftPip(s, manager, { employeeId: employee });
      expect(pip.status).toBe('pending_hr_approval');
      fixtures.push({
        caseType: 'pip',
        name,
        id: pip.id,
        readers: unique([employee, manager, managerOf(manager), ...holdersOf('hr'), ...OVERSIGHT]),
        actors: {
          decide: holdersOf('hr'),
          revise: [manager],
          acknowledge: [employee],
          check_in: [manager],
          midpoint_review: [manager, ...holdersOf('hr')],
          comment: [employee],
          outcome: [manager],
          withdraw: [manager, ...holdersOf('hr')],
        },
        setUpBy: [manager],
      });
    }

    // A general crisis declared by sue, mike commanding, priya and leo; a statement waiting, an action for ivan.
    const crisis = await declareCrisis(s, 'sue', { severity: 'general', title: 'Matrix crisis' });
    const statement = await draftStatement(s, crisis.id, 'priya', 'holding', ['employees']);
    const action = await crisisPost<ActionView>(s, crisis.id, 'actions', 'mike', { title: 'Call back customers', ownerId: 'ivan', dueAt: new Date(Date.now() + 86_400_000).toISOString() }, 201);
    const actionId = action.id;
    fixtures.push({
      caseType: 'crisis',
      name: 'crisis',
      id: crisis.id,
      sub: { statementId: statement.id, actionId },
      readers: unique(['sue', 'mike', 'priya', 'leo', ...holdersOf('executive'), 'ivan', ...OVERSIGHT]),
      actors: {
        draft: ['priya', 'mike'],
        decide_statement: ['priya', 'leo'],
        add_action: ['mike'],
        complete_action: ['ivan'],
        decide_post_mortem: holdersOf('executive').filter((u) => u !== 'mike'),
        recover: ['mike'],
        post_mortem: ['mike'],
      },
      setUpBy: ['sue', 'priya', 'mike'],
    });

    // Approval requests: alice's and carol's purchases (their managers approve, finance fulfils).
    for (const [name, requester] of [
      ['ar-A', 'alice'],
      ['ar-B', 'carol'],
    ] as const) {
      const ar = await submitRequest(s, requester, purchaseBody(500, `Matrix ${name}`));
      const approver = managerOf(requester) as string;
      fixtures.push({
        caseType: 'approval_request',
        name,
        id: ar.id,
        readers: unique([requester, approver, ...holdersOf('finance'), ...OVERSIGHT]),
        actors: { decide: [approver], revise: [requester], fulfil: holdersOf('finance'), withdraw: [requester] },
        setUpBy: [requester],
      });
    }

    // Owned things: alice's delegation, and a notification of priya's (the crisis alerted her).
    const delegation = await delegate(s, 'alice', { delegateId: 'eve', from: new Date(Date.now() + 300 * 86_400_000).toISOString(), to: new Date(Date.now() + 301 * 86_400_000).toISOString(), reason: 'Leave' });
    const notes = (await s.http.get('/notifications').set(s.as('priya')).expect(200)).body.items as { id: string }[];
    expect(notes.length).toBeGreaterThan(0);
    // root's webhook subscription, which the webhook routes name (to a kind nothing sends: no delivery noise).
    const hook = (await s.http.post('/webhooks').set(s.as('root')).send({ url: 'http://127.0.0.1:9/matrix', eventKinds: ['matrix_never_sent'] }).expect(201)).body as { id: string };
    const webhook = { id: hook.id };
    world = {
      params: { '/webhooks/{id}': webhook, '/webhooks/{id}/ping': webhook, '/webhooks/{id}/deliveries': webhook },
      fixtures,
      owned: {
        delegation: { owner: 'alice', params: { id: delegation.id } },
        notification: { owner: 'priya', params: { id: notes[0].id } },
      },
    };
  });
  afterAll(async () => {
    await s?.close();
  });

  it('has a row for every route of /docs-json, and no row for a route that does not exist', async () => {
    const doc = (await s.http.get('/docs-json').expect(200)).body as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item)
        .filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
        .map((m) => `${m.toUpperCase()} ${path}`),
    );
    const rows = MATRIX_ROUTES.map(routeKey);
    expect({ withoutRow: documented.filter((k) => !rows.includes(k)).sort(), notInApi: rows.filter((k) => !documented.includes(k)).sort() }).toEqual({ withoutRow: [], notInApi: [] });
    expect(new Set(rows).size).toBe(rows.length);
  });

  it('answers every cell as the contract says: no escapes', async () => {
    const cells = generateCells(world);
    const started = Date.now();
    const { checked, failures } = await runCells(s, cells);
    process.stderr.write(`[authz matrix] ${checked} cells checked (${USERS.size} users + no token, ${MATRIX_ROUTES.length} routes, ${world.fixtures.length} fixture cases) in ${((Date.now() - started) / 1000).toFixed(1)} s, ${failures.length} wrong\n`);
    expect(checked).toBeGreaterThan(1000);
    expect(failures).toEqual([]);
    // And no refused caller left a trace on any fixture.
    const trail = await actorsWithoutLeave(s, world.fixtures);
    expect(trail.events).toBeGreaterThan(world.fixtures.length);
    expect(trail.found).toEqual([]);
  });
});
