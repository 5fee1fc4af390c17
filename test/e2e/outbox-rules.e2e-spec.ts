import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import type { CaseCommit } from '@steward/domain';
import { CaseStore, openDataSource } from '@steward/persistence';
import { digestKeyFor, resolveChannels, wantsNotification, wantsStatement } from '../../libs/persistence/src/notify/notify-rules';
import { createScratchDatabase, ScratchDatabase } from '../support/audit';
import { commitFor } from '../support/case-commit';

/**
 * CaseStore writes a commit's outbox rows with one INSERT in which Postgres applies the notification rules
 * (outboxInsert). The rules are written in TypeScript in notify-rules.ts; this test holds the two to the same
 * answers: for a mix of preferences, addresses, subscriptions (kinds, `*`, audience groups, deleted), tasks
 * (open, closed, older, newer) and published crisis statements, the rows in the table are exactly the rows the
 * TypeScript rules give from what the database holds, payloads included, byte for byte as JSON.
 */

jest.setTimeout(120_000);

interface Subscription {
  id: string;
  eventKinds: string[];
  audienceGroups: string[];
  deleted: boolean;
}

interface OutboxRecord {
  dedupe_key: string;
  channel: string;
  event_type: string;
  notification_id: string | null;
  subscription_id: string | null;
  user_id: string | null;
  digest_key: string | null;
  payload: unknown;
  created_at: string;
}

describe('outbox rows written in SQL follow the rules of notify-rules.ts', () => {
  let db: ScratchDatabase;
  let ds: DataSource;
  let owner: Pool;

  beforeAll(async () => {
    db = await createScratchDatabase('steward_outbox_rules');
    ds = await openDataSource(db.appUrl, { migrate: false });
    owner = new Pool({ connectionString: db.ownerUrl, max: 2 });
  });
  afterAll(async () => {
    await Promise.all([ds?.destroy(), owner?.end()]);
  });

  const subscriptions: Subscription[] = [
    { id: randomUUID(), eventKinds: ['approval_requested'], audienceGroups: [], deleted: false },
    { id: randomUUID(), eventKinds: ['*'], audienceGroups: [], deleted: false },
    { id: randomUUID(), eventKinds: ['sla_breached', 'crisis_statement_published'], audienceGroups: ['media'], deleted: false },
    { id: randomUUID(), eventKinds: ['crisis_statement_published'], audienceGroups: [], deleted: false },
    { id: randomUUID(), eventKinds: ['*', 'crisis_statement_published'], audienceGroups: ['employees'], deleted: false },
    { id: randomUUID(), eventKinds: ['*', 'crisis_statement_published'], audienceGroups: [], deleted: true },
  ];

  it('gives every notification and published statement exactly the rows the TypeScript rules give', async () => {
    await owner.query(`UPDATE directory_users SET email = '' WHERE id = 'eve'`);
    for (const s of subscriptions) {
      await owner.query(
        `INSERT INTO webhook_subscriptions (id, url, event_kinds, audience_groups, secret_ciphertext, created_by, deleted_at)
         VALUES ($1, 'http://127.0.0.1:9/hook', $2, $3, 'not used here', 'test', CASE WHEN $4 THEN now() END)`,
        [s.id, s.eventKinds, s.audienceGroups, s.deleted],
      );
    }
    // bob: approval requests in-app only; carol: a kind that is in-app by default also by email; dave: email off
    // for reminders (the digest kind).
    await owner.query(
      `INSERT INTO notification_preferences (user_id, kind, channels) VALUES
         ('bob', 'approval_requested', '{in_app}'), ('carol', 'change_scheduled', '{in_app,email}'), ('dave', 'approval_reminder', '{in_app}')`,
    );

    const store = new CaseStore(ds, { lanes: 1 });
    const cases = Array.from({ length: 4 }, () => randomUUID());
    const kinds = ['approval_requested', 'approval_reminder', 'change_scheduled', 'sla_breached', 'complaint_escalation'];
    const users = ['alice', 'bob', 'carol', 'dave', 'eve', 'nobody-in-the-directory'];

    // Version 1 of each case opens tasks for everyone (one closed again at once); version 2 opens a newer task for
    // some, and notifies every user of every kind, so that each email names its recipient's newest open task.
    const v1 = cases.map((caseId, i) =>
      commit(caseId, 1, {
        openTasks: users.map((u, j) => task(caseId, `v1:${u}`, u, j % 2 === 0 ? `2026-12-0${j + 1}T09:30:00.123Z` : null, `2026-12-01T08:00:0${i}.000Z`)),
        closeTasks: [{ key: `${caseId}:task:v1:carol`, at: '2026-12-01T08:30:00.000Z', outcome: 'approved' }],
      }),
    );
    await Promise.all(v1.map((c) => store.commit(c)));
    const v2 = cases.map((caseId) =>
      commit(caseId, 2, {
        openTasks: ['alice', 'dave'].map((u) => task(caseId, `v2:${u}`, u, '2026-12-24T17:00:00.999Z', '2026-12-02T10:00:00.000Z')),
        notifications: users.flatMap((u) => kinds.map((kind) => ({ key: `${caseId}:v2:${u}:${kind}`, userId: u, kind, message: `${kind} for ${u}`, createdAt: '2026-12-02T10:00:00.000Z' }))),
      }),
    );
    const crisisId = randomUUID();
    const crisis = crisisCommit(crisisId);
    await Promise.all([...v2, crisis].map((c) => store.commit(c)));

    const expected = await expectedRows([...v2, crisis]);
    const actual = await stored([...cases, crisisId]);
    // Every kind of row is there, so the comparison covers each rule.
    expect(new Set(expected.map((r) => `${r.channel}:${r.event_type}`)).size).toBeGreaterThanOrEqual(kinds.length + 4);
    expect(expected.filter((r) => r.channel === 'email' && r.digest_key !== null).length).toBeGreaterThan(0);
    expect(expected.some((r) => r.channel === 'email' && (r.payload as { task: unknown }).task === null)).toBe(true);
    expect(actual).toEqual(expected);

    // A retried commit adds nothing.
    await store.commit({ ...v2[0] });
    expect(await stored([...cases, crisisId])).toEqual(expected);
  });

  /** A change request's commit (support/case-commit) with these tasks and notifications instead of its own. */
  function commit(caseId: string, version: number, parts: Partial<Pick<CaseCommit, 'openTasks' | 'closeTasks' | 'notifications'>>): CaseCommit {
    return { ...commitFor(caseId, { version }), openTasks: parts.openTasks ?? [], closeTasks: parts.closeTasks ?? [], notifications: parts.notifications ?? [] };
  }

  function task(caseId: string, name: string, assigneeId: string, dueAt: string | null, createdAt: string): CaseCommit['openTasks'][number] {
    return { key: `${caseId}:task:${name}`, assigneeId, kind: 'approve_change', title: `${name} on ${caseId}`, dueAt, createdAt };
  }

  /** A crisis commit that publishes three statements: to media, to employees and customers, and to no group. */
  function crisisCommit(caseId: string): CaseCommit {
    const at = '2026-12-02T11:00:00.000Z';
    const statements = [
      { id: randomUUID(), number: 1, kind: 'holding', audience: ['media'], text: 'We are looking into it.', publishedAt: at },
      { id: randomUUID(), number: 2, kind: 'update', audience: ['employees', 'customers'], text: 'An update "quoted" \\ and ünicode.', publishedAt: null },
      { id: randomUUID(), number: 3, kind: 'update', audience: [], text: 'To no group.', publishedAt: at },
    ];
    return {
      ...commit(caseId, 1, { notifications: [{ key: `${caseId}:declared`, userId: 'grace', kind: 'crisis_declared', message: 'Declared', createdAt: at }] }),
      caseType: 'crisis',
      workflowId: `crisis-${caseId}`,
      updatedAt: '2026-12-02T11:30:00.000Z',
      view: { id: caseId, statements },
      events: statements.map((st, i) => ({
        key: `${caseId}:published:${i}`,
        at,
        actorId: 'grace',
        action: 'statement_published',
        fromStatus: null,
        toStatus: 'active',
        data: { statementId: st.id },
      })),
    };
  }

  /** The rows of these cases' notifications and statements in the table, as JSON text for an exact comparison. */
  async function stored(caseIds: string[]): Promise<OutboxRecord[]> {
    const { rows } = await owner.query<OutboxRecord>(
      `SELECT o.dedupe_key, o.channel, o.event_type, o.notification_id::text, o.subscription_id::text, o.user_id, o.digest_key,
              o.payload, to_char(o.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created_at
       FROM notification_outbox o LEFT JOIN notifications n ON n.id = o.notification_id
       WHERE n.case_id = ANY($1::uuid[]) OR o.payload->'data'->>'crisisId' = ANY($1::text[])
       ORDER BY o.dedupe_key COLLATE "C"`,
      [caseIds],
    );
    return rows;
  }

  /**
   * The rows the TypeScript rules give for these commits, from what the database holds after them (their
   * notifications' ids, the users, preferences, tasks and subscriptions): the computation CaseStore made in
   * TypeScript before the INSERT did it in SQL.
   */
  async function expectedRows(commits: CaseCommit[]): Promise<OutboxRecord[]> {
    const ids = new Map(
      (await owner.query<{ notification_key: string; id: string }>(`SELECT notification_key, id::text FROM notifications`)).rows.map((r) => [r.notification_key, r.id]),
    );
    const userRows = (await owner.query<{ id: string; name: string; email: string }>(`SELECT id, name, email FROM directory_users`)).rows;
    const directory = new Map(userRows.map((u) => [u.id, u]));
    const prefs = (await owner.query<{ user_id: string; kind: string; channels: string[] }>(`SELECT user_id, kind, channels FROM notification_preferences`)).rows;
    const tasks = (
      await owner.query<{ case_id: string; assignee_id: string; kind: string; title: string; due_at: Date | null; created_at: Date; completed_at: Date | null }>(
        `SELECT case_id::text, assignee_id, kind, title, due_at, created_at, completed_at FROM human_tasks`,
      )
    ).rows;
    const live = subscriptions.filter((s) => !s.deleted);
    const rows: OutboxRecord[] = [];
    for (const c of commits) {
      for (const n of c.notifications) {
        const notificationId = ids.get(n.key);
        if (!notificationId) continue;
        const user = directory.get(n.userId);
        const chosen = new Map(prefs.filter((p) => p.user_id === n.userId).map((p) => [p.kind, p.channels]));
        if (user?.email && resolveChannels(n.kind, chosen).includes('email')) {
          const newest = tasks
            .filter((t) => t.case_id === c.caseId && t.assignee_id === n.userId && t.completed_at === null)
            .sort((a, b) => b.created_at.getTime() - a.created_at.getTime())[0];
          rows.push({
            dedupe_key: `email:${n.key}`,
            channel: 'email',
            event_type: n.kind,
            notification_id: notificationId,
            subscription_id: null,
            user_id: n.userId,
            digest_key: digestKeyFor('email', n.userId, n.kind),
            payload: {
              to: { id: user.id, name: user.name, email: user.email },
              caseType: c.caseType,
              caseId: c.caseId,
              kind: n.kind,
              message: n.message,
              createdAt: n.createdAt,
              task: newest ? { kind: newest.kind, title: newest.title, dueAt: newest.due_at?.toISOString() ?? null } : null,
            },
            created_at: n.createdAt,
          });
        }
        for (const s of live.filter((s) => wantsNotification(s, n.kind))) {
          rows.push({
            dedupe_key: `webhook:${s.id}:${n.key}`,
            channel: 'webhook',
            event_type: n.kind,
            notification_id: notificationId,
            subscription_id: s.id,
            user_id: null,
            digest_key: null,
            payload: {
              type: 'notification',
              data: { notificationId, caseType: c.caseType, caseId: c.caseId, kind: n.kind, userId: n.userId, message: n.message, createdAt: n.createdAt },
            },
            created_at: n.createdAt,
          });
        }
      }
      if (c.caseType !== 'crisis') continue;
      const view = c.view as { statements: { id: string; number: number; kind: string; audience: string[]; text: string; publishedAt: string | null }[] };
      for (const e of c.events.filter((e) => e.action === 'statement_published')) {
        const st = view.statements.find((x) => x.id === (e.data as { statementId: string }).statementId);
        if (!st) continue;
        for (const s of live.filter((s) => wantsStatement(s, st.audience))) {
          rows.push({
            dedupe_key: `webhook:${s.id}:statement:${st.id}`,
            channel: 'webhook',
            event_type: 'crisis_statement_published',
            notification_id: null,
            subscription_id: s.id,
            user_id: null,
            digest_key: null,
            payload: {
              type: 'crisis_statement_published',
              data: { crisisId: c.caseId, statementId: st.id, number: st.number, kind: st.kind, audience: st.audience, text: st.text, publishedAt: st.publishedAt ?? e.at },
            },
            created_at: st.publishedAt ?? e.at,
          });
        }
      }
    }
    return rows.sort((a, b) => (a.dedupe_key < b.dedupe_key ? -1 : a.dedupe_key > b.dedupe_key ? 1 : 0));
  }
});
