import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { api, call, idempotencyKey, type Me, type Schemas } from '../../api/client';
import { formatDateTime, hasRole } from '../../app/format';
import { ActionForm, type FormSpec } from '../../components/ActionForm';
import { CaseList } from '../../components/CaseList';
import { CaseShell, caseKey, type CasePageSpec } from '../../components/CaseShell';
import { Countdown } from '../../components/Countdown';
import { Tr } from '../../components/Tr';
import i18n from '../../i18n';
import type { CaseModule } from '../registry';

type Crisis = Schemas['CrisisResponseDto'];
type Statement = Schemas['StatementResponseDto'];
const SEGMENT = 'crises';
const F = (name: string) => `crisis.fields.${name}`;
const O = 'crisis.options';
const path = (id: string) => ({ params: { path: { id } } });
const GROUPS = ['employees', 'customers', 'partners', 'suppliers', 'regulators', 'media'] as const;
const DECLARERS = ['supervisor', 'manager', 'executive'];

const load = (id: string) => call(api.GET('/crises/{id}', path(id)));

function NewCrisis() {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const { t } = useTranslation();
  const spec: FormSpec<Crisis> = {
    key: 'declare-crisis',
    titleKey: 'crisis.new',
    intro: <p className="muted">{t('crisis.newIntro')}</p>,
    fields: [
      { name: 'title', labelKey: F('title'), kind: 'text', required: true },
      { name: 'description', labelKey: F('description'), kind: 'textarea', required: true },
      { name: 'severity', labelKey: F('severity'), kind: 'select', options: ['major', 'general'], optionsKey: O, required: true, helpKey: F('severityHelp') },
      { name: 'category', labelKey: F('category'), kind: 'text', required: true, helpKey: F('categoryHelp') },
      { name: 'commanderId', labelKey: F('commanderId'), kind: 'text', required: true },
      { name: 'commsLeadId', labelKey: F('commsLeadId'), kind: 'text', required: true, helpKey: F('commsHelp') },
      { name: 'legalId', labelKey: F('legalId'), kind: 'text', required: true, helpKey: F('legalHelp') },
    ],
    defaults: { severity: 'major' },
    submit: (body) => call(api.POST('/crises', { body: body as Schemas['DeclareCrisisDto'], params: { header: { 'Idempotency-Key': idempotencyKey() } } })),
  };
  return (
    <section className="narrow" aria-label={t('crisis.new')}>
      <ActionForm
        spec={spec}
        onDone={(c) => {
          qc.setQueryData(caseKey(SEGMENT, c.id), c);
          void navigate(`/view/${SEGMENT}/${c.id}`);
        }}
      />
    </section>
  );
}

function Clocks({ c }: { c: Crisis }) {
  const { t } = useTranslation();
  const holding = c.holdingStatementPublishedAt ? 'published' : c.status === 'closed' ? 'cancelled' : 'running';
  return (
    <div className="clocks">
      <Countdown testId="crisis-holding" label={t('crisis.clocks.holding')} status={holding} targetAt={c.holdingStatementDueAt} />
      {c.nextUpdateDueAt && c.status === 'active' ? (
        <Countdown testId="crisis-update" label={t('crisis.clocks.update', { every: c.updateEvery })} status="running" targetAt={c.nextUpdateDueAt} />
      ) : null}
      {c.notices.map((n) => (
        <Countdown
          key={n.group}
          testId={`notice-${n.group}`}
          label={t('crisis.clocks.notice', { group: t(`${O}.${n.group}`) })}
          status={n.status === 'pending' && c.status !== 'closed' ? 'running' : n.status}
          targetAt={n.dueAt}
        />
      ))}
    </div>
  );
}

function Statements({ c }: { c: Crisis }) {
  const { t } = useTranslation();
  if (c.statements.length === 0) return <p className="muted">{t('crisis.noStatements')}</p>;
  return (
    <ul className="items" data-testid="statements">
      {c.statements.map((s) => (
        <li key={s.id} data-testid={`statement-${s.number}`} data-status={s.status}>
          <div className="item-head">
            <strong>
              #{s.number} <Tr prefix={O} value={s.kind} />
            </strong>
            <span className={`pill ${s.status}`}>{t(`status.${s.status}`, { defaultValue: s.status })}</span>
            <span className="muted">
              {t('crisis.audience')}: {s.audience.map((g) => t(`${O}.${g}`)).join(', ')}
            </span>
          </div>
          <blockquote>{s.text}</blockquote>
          <div className="muted">
            {t('crisis.draftedBy', { who: s.draftedBy, at: formatDateTime(s.draftedAt) })}
            {s.publishedAt ? ` · ${t('crisis.publishedAt', { at: formatDateTime(s.publishedAt) })}` : ''}
          </div>
          <ul className="decisions">
            {s.approvers.map((a) => {
              const d = s.decisions.find((x) => x.approverId === a);
              return (
                <li key={a}>
                  <strong>{a}</strong>: {d ? <Tr prefix={O} value={d.decision} /> : t('status.pending')}
                  {d ? ` — ${formatDateTime(d.at)}` : ''}
                  {d?.comment ? <q>{d.comment}</q> : null}
                </li>
              );
            })}
          </ul>
        </li>
      ))}
    </ul>
  );
}

function FollowUps({ c }: { c: Crisis }) {
  const { t } = useTranslation();
  if (c.actions.length === 0) return <p className="muted">{t('crisis.noActions')}</p>;
  return (
    <ul className="items" data-testid="crisis-actions">
      {c.actions.map((a) => (
        <li key={a.id}>
          <div className="item-head">
            <strong>{a.title}</strong>
            <span className={`pill ${a.status}`}>
              <Tr prefix={O} value={a.status} />
            </span>
            <span className="muted">
              {t(F('ownerId'))}: {a.ownerId}
            </span>
          </div>
          {a.status === 'open' ? (
            <Countdown label={t(F('dueAt'))} status="running" targetAt={a.dueAt} />
          ) : (
            <div className="muted">
              {formatDateTime(a.completedAt)} {a.completionNote ? <q>{a.completionNote}</q> : null}
            </div>
          )}
        </li>
      ))}
    </ul>
  );
}

function PostMortem({ c }: { c: Crisis }) {
  const { t } = useTranslation();
  const pm = c.postMortem;
  if (!pm) return <p className="muted">{t('crisis.noPostMortem')}</p>;
  return (
    <div className="card" data-testid="post-mortem">
      <p>
        <span className={`pill ${pm.status}`}>{t(`status.${pm.status}`, { defaultValue: pm.status })}</span>{' '}
        <span className="muted">{t('crisis.draftedBy', { who: pm.submittedBy, at: formatDateTime(pm.submittedAt) })}</span>
      </p>
      <dl className="fields">
        <div>
          <dt>{t(F('summary'))}</dt>
          <dd>{pm.summary}</dd>
        </div>
        <div>
          <dt>{t(F('rootCause'))}</dt>
          <dd>{pm.rootCause}</dd>
        </div>
        <div>
          <dt>{t(F('lessons'))}</dt>
          <dd>
            <ul>
              {pm.lessons.map((l, i) => (
                <li key={i}>{l}</li>
              ))}
            </ul>
          </dd>
        </div>
      </dl>
      <ul className="decisions">
        {pm.decisions.map((d, i) => (
          <li key={i}>
            <strong>{d.by}</strong>: <Tr prefix={O} value={d.decision} /> — {formatDateTime(d.at)}
            {d.comment ? <q>{d.comment}</q> : null}
          </li>
        ))}
      </ul>
    </div>
  );
}

const isCommander = (c: Crisis, me: Me) => me.id === c.commanderId;
const canDraft = (c: Crisis, me: Me) => c.status !== 'closed' && (me.id === c.commsLeadId || isCommander(c, me));
const toDecide = (c: Crisis, me: Me): Statement[] =>
  c.statements.filter((s) => s.status === 'pending_approval' && s.approvers.includes(me.id) && !s.decisions.some((d) => d.approverId === me.id));

/** datetime-local wants local time without a zone. */
const localInput = (d: Date) => new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);

const pageSpec: CasePageSpec<Crisis> = {
  segment: SEGMENT,
  titleKey: 'crisis.title',
  load,
  loadAudit: (id) => call(api.GET('/crises/{id}/audit', { params: { path: { id }, query: { limit: 200 } } })),
  heading: (c) => c.title,
  deadlines: (c) => <Clocks c={c} />,
  fields: (c) => [
    [F('severity'), <span data-testid="crisis-severity" className={`pill ${c.severity}`}><Tr prefix={O} value={c.severity} /></span>],
    [F('category'), c.category],
    [F('description'), c.description],
    [F('declaredAt'), formatDateTime(c.declaredAt)],
    [F('holdingPublished'), formatDateTime(c.holdingStatementPublishedAt)],
    [F('updateEvery'), c.updateEvery],
    [F('updatesMissed'), c.updatesMissed],
    [F('recovery'), c.recovery ? `${c.recovery.note} (${c.recovery.by}, ${formatDateTime(c.recovery.at)})` : null],
    [F('awaiting'), c.awaiting.length ? c.awaiting.map((a) => i18n.t(`${O}.${a}`, { defaultValue: a })).join(' · ') : null],
    [F('closedAt'), formatDateTime(c.closedAt)],
  ],
  people: (c) => [
    [F('declaredBy'), c.declaredBy],
    [F('commanderId'), c.commanderId],
    [F('commsLeadId'), c.commsLeadId],
    [F('legalId'), c.legalId],
  ],
  sections: (c) => [
    ['crisis.statements', <Statements c={c} />],
    ['crisis.followUps', <FollowUps c={c} />],
    ['crisis.postMortem', <PostMortem c={c} />],
  ],
  actions: [
    {
      available: canDraft,
      spec: (c) => ({
        key: 'statement',
        titleKey: 'crisis.actions.statement',
        defaults: {
          kind: c.holdingStatementId ? (c.status === 'active' ? 'update' : 'final') : 'holding',
          audience: c.notices.filter((n) => n.status !== 'sent').map((n) => n.group),
        },
        fields: [
          { name: 'kind', labelKey: F('kind'), kind: 'select', options: ['holding', 'update', 'final'], optionsKey: O, required: true },
          { name: 'audience', labelKey: F('audience'), kind: 'multi', options: GROUPS, optionsKey: O, required: true },
          { name: 'text', labelKey: F('text'), kind: 'textarea', required: true },
        ],
        // the route answers with the statement; the page shows the crisis as it now stands (read your writes)
        submit: async (body) => {
          await call(api.POST('/crises/{id}/statements', { ...path(c.id), body: body as Schemas['DraftStatementDto'] }));
          return load(c.id);
        },
      }),
    },
    {
      available: (c, me) => c.status === 'active' && isCommander(c, me),
      spec: (c) => ({
        key: 'recovery',
        titleKey: 'crisis.actions.recovery',
        fields: [{ name: 'note', labelKey: F('note'), kind: 'textarea', required: true }],
        submit: (body) => call(api.POST('/crises/{id}/recovery', { ...path(c.id), body: body as Schemas['RecoveryDto'] })),
      }),
    },
    {
      available: (c, me) => c.status !== 'closed' && isCommander(c, me),
      spec: (c) => ({
        key: 'add-action',
        titleKey: 'crisis.actions.addAction',
        defaults: { dueAt: localInput(new Date(Date.now() + 3 * 86_400_000)) },
        fields: [
          { name: 'title', labelKey: F('actionTitle'), kind: 'text', required: true },
          { name: 'ownerId', labelKey: F('ownerId'), kind: 'text', required: true },
          { name: 'dueAt', labelKey: F('dueAt'), kind: 'datetime', required: true },
        ],
        submit: async (body) => {
          await call(api.POST('/crises/{id}/actions', { ...path(c.id), body: body as Schemas['AddActionDto'] }));
          return load(c.id);
        },
      }),
    },
    {
      available: (c, me) => c.status === 'recovering' && isCommander(c, me),
      spec: (c) => ({
        key: 'post-mortem',
        titleKey: 'crisis.actions.postMortem',
        defaults: c.postMortem ? { summary: c.postMortem.summary, rootCause: c.postMortem.rootCause, lessons: c.postMortem.lessons.join('\n') } : undefined,
        fields: [
          { name: 'summary', labelKey: F('summary'), kind: 'textarea', required: true },
          { name: 'rootCause', labelKey: F('rootCause'), kind: 'textarea', required: true },
          { name: 'lessons', labelKey: F('lessons'), kind: 'lines', required: true, helpKey: F('lessonsHelp') },
        ],
        submit: (body) => call(api.POST('/crises/{id}/post-mortem', { ...path(c.id), body: body as Schemas['PostMortemDto'] })),
      }),
    },
    {
      available: (c, me) => c.status === 'post_mortem_review' && hasRole(me, 'executive') && !isCommander(c, me),
      spec: (c) => ({
        key: 'post-mortem-decision',
        titleKey: 'crisis.actions.postMortemDecision',
        defaults: { decision: 'approve' },
        fields: [
          { name: 'decision', labelKey: F('decision'), kind: 'select', options: ['approve', 'request_changes'], optionsKey: O, required: true },
          { name: 'comment', labelKey: F('comment'), kind: 'textarea' },
        ],
        submit: (body) => call(api.POST('/crises/{id}/post-mortem/decisions', { ...path(c.id), body: body as Schemas['PostMortemDecisionDto'] })),
      }),
    },
  ],
  partActions: (c, me) => [
    ...toDecide(c, me).map(
      (s): FormSpec<Crisis> => ({
        key: `decide-statement-${s.number}`,
        titleKey: 'crisis.actions.decideStatement',
        title: i18n.t('crisis.actions.decideStatement', { n: s.number, kind: i18n.t(`${O}.${s.kind}`) }),
        defaults: { decision: 'approve' },
        fields: [
          { name: 'decision', labelKey: F('decision'), kind: 'select', options: ['approve', 'reject'], optionsKey: O, required: true },
          { name: 'comment', labelKey: F('comment'), kind: 'textarea', helpKey: F('rejectHelp') },
        ],
        submit: async (body) => {
          await call(
            api.POST('/crises/{id}/statements/{statementId}/decisions', {
              params: { path: { id: c.id, statementId: s.id } },
              body: body as Schemas['StatementDecisionDto'],
            }),
          );
          return load(c.id);
        },
      }),
    ),
    ...c.actions
      .filter((a) => a.status === 'open' && a.ownerId === me.id)
      .map(
        (a): FormSpec<Crisis> => ({
          key: `complete-action-${a.id}`,
          titleKey: 'crisis.actions.complete',
          title: i18n.t('crisis.actions.complete', { title: a.title }),
          fields: [{ name: 'note', labelKey: F('note'), kind: 'textarea' }],
          submit: async (body) => {
            await call(
              api.POST('/crises/{id}/actions/{actionId}/complete', {
                params: { path: { id: c.id, actionId: a.id } },
                body: body as Schemas['CompleteActionDto'],
              }),
            );
            return load(c.id);
          },
        }),
      ),
  ],
};

function CrisisList() {
  return (
    <CaseList
      segment={SEGMENT}
      titleKey="nav.crises"
      load={async (cursor) => {
        const page = await call(api.GET('/crises', { params: { query: { cursor, limit: 25 } } }));
        return {
          nextCursor: page.nextCursor,
          items: page.items.map((c) => ({
            id: c.id,
            title: c.title,
            status: c.status,
            detail: `${i18n.t(`${O}.${c.severity}`)} · ${c.category} · ${c.commanderId}`,
            updatedAt: c.updatedAt,
          })),
        };
      }}
    />
  );
}

function CrisisPage({ id }: { id: string }) {
  return <CaseShell id={id} spec={pageSpec} />;
}

export const crisisModule: CaseModule = {
  caseType: 'crisis',
  segment: SEGMENT,
  titleKey: 'crisis.title',
  Page: CrisisPage,
  List: CrisisList,
  listNavKey: 'nav.crises',
  New: NewCrisis,
  newNavKey: 'nav.newCrisis',
  canStart: (me) => hasRole(me, ...DECLARERS),
};
