import { useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { api, call, idempotencyKey, type Me, type Schemas } from '../../api/client';
import { formatDateTime, hasRole } from '../../app/format';
import { ActionForm, type FieldSpec, type FormSpec } from '../../components/ActionForm';
import { ApprovalLevels } from '../../components/ApprovalLevels';
import { CaseList } from '../../components/CaseList';
import { CaseShell, caseKey, type CasePageSpec } from '../../components/CaseShell';
import { Countdown } from '../../components/Countdown';
import { Tr } from '../../components/Tr';
import i18n from '../../i18n';
import type { CaseModule } from '../registry';

type Pip = Schemas['PipResponseDto'];
const SEGMENT = 'pips';
const F = (name: string) => `pip.fields.${name}`;
const O = 'pip.options';
const path = (id: string) => ({ params: { path: { id } } });
const MAX_GOALS = 10;
const GOAL_STATUSES = ['on_track', 'at_risk', 'met', 'not_met'] as const;
/** Before an outcome (passed, separated, withdrawn, rejected end a plan). */
const OPEN = ['pending_hr_approval', 'changes_requested', 'awaiting_acknowledgement', 'active', 'pending_final_review', 'pending_extension_approval', 'pending_separation_approval'];

/** Goal n's three fields: `goals.<i>.title` etc., the paths the API names in a 400. */
function goalFields(count: number): FieldSpec[] {
  return Array.from({ length: count }, (_, i) =>
    (['title', 'measure', 'target'] as const).map((part) => ({
      name: `goals.${i}.${part}`,
      labelKey: F(`goal_${part}`),
      label: i18n.t(F(`goal_${part}`), { n: i + 1 }),
      kind: part === 'measure' ? ('textarea' as const) : ('text' as const),
      required: true,
    })),
  ).flat();
}

const durationFields: FieldSpec[] = [
  { name: 'duration', labelKey: F('duration'), kind: 'text', required: true, helpKey: F('durationHelp') },
  { name: 'checkInEvery', labelKey: F('checkInEvery'), kind: 'text', required: true, helpKey: F('checkInEveryHelp') },
];

function GoalCount({ count, onChange }: { count: number; onChange(n: number): void }) {
  const { t } = useTranslation();
  return (
    <label className="picker">
      {t(F('goalCount'))}
      <select value={count} onChange={(e) => onChange(Number(e.target.value))} data-testid="goal-count">
        {Array.from({ length: MAX_GOALS }, (_, i) => (
          <option key={i} value={i + 1}>
            {i + 1}
          </option>
        ))}
      </select>
    </label>
  );
}

function NewPip() {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const { t } = useTranslation();
  const [goals, setGoals] = useState(1);
  const spec: FormSpec<Pip> = {
    key: 'draft-pip',
    titleKey: 'pip.new',
    intro: (
      <>
        <p className="muted">{t('pip.newIntro')}</p>
        <GoalCount count={goals} onChange={setGoals} />
      </>
    ),
    fields: [
      { name: 'employeeId', labelKey: F('employeeId'), kind: 'text', required: true, helpKey: F('employeeHelp') },
      { name: 'reason', labelKey: F('reason'), kind: 'textarea', required: true },
      ...goalFields(goals),
      { name: 'resources', labelKey: F('resources'), kind: 'textarea', required: true },
      { name: 'support', labelKey: F('support'), kind: 'textarea', required: true },
      ...durationFields,
    ],
    defaults: { duration: 'P60D', checkInEvery: 'P14D' },
    submit: (body) => call(api.POST('/pips', { body: body as Schemas['CreatePipDto'], params: { header: { 'Idempotency-Key': idempotencyKey() } } })),
  };
  return (
    <section className="narrow" aria-label={t('pip.new')}>
      <ActionForm
        spec={spec}
        onDone={(p) => {
          qc.setQueryData(caseKey(SEGMENT, p.id), p);
          void navigate(`/view/${SEGMENT}/${p.id}`);
        }}
      />
    </section>
  );
}

/** The plan's running deadlines (and the last missed check-in); null when none. */
function clocks(c: Pip): ReactNode {
  const t = i18n.t.bind(i18n);
  const clocks: { key: string; label: string; status: string; targetAt: string | null }[] = [];
  if (c.acknowledgement) {
    const a = c.acknowledgement;
    clocks.push({ key: 'acknowledgement', label: t('pip.clocks.acknowledgement'), status: a.status === 'pending' ? 'running' : a.status, targetAt: a.dueAt });
  }
  for (const ci of c.checkIns.filter((x) => x.status === 'due' && x.dueAt)) {
    clocks.push({ key: `check-in-${ci.number ?? 'x'}`, label: t('pip.clocks.checkIn', { n: ci.number ?? '' }), status: 'running', targetAt: ci.dueAt });
  }
  // the next scheduled check-in, as the API announces it, until it falls due (then it is in checkIns)
  if (c.nextCheckInAt && !c.checkIns.some((x) => x.status === 'due')) {
    const n = c.checkIns.filter((x) => x.number !== null).length + 1;
    clocks.push({ key: `check-in-${n}`, label: t('pip.clocks.checkIn', { n }), status: 'running', targetAt: c.nextCheckInAt });
  }
  const lastMissed = c.checkIns.filter((x) => x.status === 'missed').pop();
  if (lastMissed) clocks.push({ key: 'missed', label: t('pip.clocks.checkIn', { n: lastMissed.number ?? '' }), status: 'missed', targetAt: lastMissed.dueAt });
  if (c.midpoint && ['active', 'pending_final_review'].includes(c.status)) {
    const done = c.midpoint.reviews.length > 0;
    clocks.push({ key: 'midpoint', label: t('pip.clocks.midpoint'), status: done ? 'recorded' : 'running', targetAt: c.midpoint.dueAt });
  }
  if (c.status === 'active' && c.endsAt) clocks.push({ key: 'ends', label: t('pip.clocks.ends'), status: 'running', targetAt: c.endsAt });
  if (c.status === 'pending_final_review' && c.finalReview) {
    clocks.push({ key: 'final-review', label: t('pip.clocks.finalReview'), status: 'running', targetAt: c.finalReview.dueAt });
  }
  if (clocks.length === 0) return null;
  return (
    <div className="clocks">
      {clocks.map((k) => (
        <Countdown key={k.key} testId={`pip-${k.key}`} label={k.label} status={k.status} targetAt={k.targetAt} />
      ))}
    </div>
  );
}

function Goals({ c }: { c: Pip }) {
  const { t } = useTranslation();
  const last = [...c.checkIns].reverse().find((x) => x.status === 'recorded');
  return (
    <ol className="goals" data-testid="pip-goals">
      {c.goals.map((g, i) => {
        const rating = last?.goals.find((r) => r.index === i);
        return (
          <li key={i}>
            <strong>{g.title}</strong> — {g.measure} ({t(F('target'))}: {g.target})
            {rating ? (
              <>
                {' '}
                <span className={`pill ${rating.status}`}>
                  <Tr prefix={O} value={rating.status} />
                </span>
              </>
            ) : null}
          </li>
        );
      })}
    </ol>
  );
}

function Approvals({ c }: { c: Pip }) {
  const { t } = useTranslation();
  return (
    <>
      {c.approvals.map((a, i) => (
        <div key={`${a.kind}-${a.round}-${i}`} className="round" data-testid={`pip-approval-${a.kind}`}>
          <h3>
            <Tr prefix={O} value={a.kind} /> · {t(F('round'))} {a.round} ·{' '}
            <span className={`pill ${a.outcome}`}>{t(`status.${a.outcome}`, { defaultValue: a.outcome })}</span>
          </h3>
          <ApprovalLevels levels={a.levels} optionsKey={O} testId={i === c.approvals.length - 1 ? 'approval-levels' : `approval-levels-${i}`} />
        </div>
      ))}
    </>
  );
}

function CheckIns({ c }: { c: Pip }) {
  const { t } = useTranslation();
  const shown = c.checkIns.filter((x) => x.status !== 'due');
  if (shown.length === 0) return <p className="muted">{t('pip.noCheckIns')}</p>;
  return (
    <ul className="items" data-testid="pip-check-ins">
      {shown.map((x, i) => (
        <li key={`${x.number ?? 'x'}-${i}`}>
          <div className="item-head">
            <strong>{x.number ? t('pip.clocks.checkIn', { n: x.number }) : t('pip.extraCheckIn')}</strong>
            <span className={`pill ${x.status}`}>{t(`status.${x.status}`, { defaultValue: x.status })}</span>
            <span className="muted">{formatDateTime(x.recordedAt ?? x.dueAt)}</span>
            {x.by ? <span className="muted">{t('case.by')} {x.by}</span> : null}
          </div>
          {x.goals.length ? (
            <div>
              {x.goals.map((g) => (
                <span key={g.index} className="muted">
                  #{g.index + 1}: <Tr prefix={O} value={g.status} />{' '}
                </span>
              ))}
            </div>
          ) : null}
          {x.note ? <blockquote>{x.note}</blockquote> : null}
        </li>
      ))}
    </ul>
  );
}

function Notes({ notes, testId }: { notes: { by: string; note: string; at: string }[]; testId: string }) {
  const { t } = useTranslation();
  if (notes.length === 0) return <p className="muted">{t('pip.noNotes')}</p>;
  return (
    <ul className="items" data-testid={testId}>
      {notes.map((n, i) => (
        <li key={i}>
          <div className="item-head">
            <strong>{n.by}</strong>
            <span className="muted">{formatDateTime(n.at)}</span>
          </div>
          <blockquote>{n.note}</blockquote>
        </li>
      ))}
    </ul>
  );
}

const isManager = (c: Pip, me: Me) => me.id === c.managerId;
const isEmployee = (c: Pip, me: Me) => me.id === c.employeeId;
const pendingLevel = (c: Pip) => c.approvalLevels.find((l) => l.status === 'pending');

const pageSpec: CasePageSpec<Pip> = {
  segment: SEGMENT,
  titleKey: 'pip.title',
  load: (id) => call(api.GET('/pips/{id}', path(id))),
  loadAudit: (id) => call(api.GET('/pips/{id}/audit', { params: { path: { id }, query: { limit: 200 } } })),
  heading: (c) => i18n.t('pip.heading', { employee: c.employeeId }),
  deadlines: clocks,
  fields: (c) => [
    [F('reason'), c.reason],
    [F('goals'), <Goals c={c} />],
    [F('resources'), c.resources],
    [F('support'), c.support],
    [F('duration'), c.duration],
    [F('checkInEvery'), c.checkInEvery],
    [F('startsAt'), formatDateTime(c.startsAt)],
    [F('endsAt'), formatDateTime(c.endsAt)],
    [
      F('acknowledgement'),
      c.acknowledgement ? (
        <span data-testid="pip-ack-answer" data-status={c.acknowledgement.status}>
          {i18n.t(`status.${c.acknowledgement.status}`, { defaultValue: c.acknowledgement.status })}
          {c.acknowledgement.comment ? <q>{c.acknowledgement.comment}</q> : null}
        </span>
      ) : null,
    ],
    [F('extension'), c.extension],
    [F('outcome'), c.outcomes.length ? c.outcomes.map((o) => `${i18n.t(`${O}.${o.outcome}`, { defaultValue: o.outcome })}: ${o.note}`).join(' · ') : null],
    [F('withdrawal'), c.withdrawal ? `${c.withdrawal.by}: ${c.withdrawal.reason}` : null],
    [F('revision'), c.revision],
  ],
  people: (c) => [
    [F('employeeId'), c.employeeId],
    [F('managerId'), c.managerId],
    [F('managersManagerId'), c.managersManagerId],
  ],
  approvals: (c) => (c.approvals.length ? <Approvals c={c} /> : null),
  sections: (c) => [
    ['pip.checkIns', <CheckIns c={c} />],
    ['pip.midpointReviews', <Notes notes={c.midpoint?.reviews ?? []} testId="pip-midpoint-reviews" />],
    ['pip.comments', <Notes notes={c.comments} testId="pip-comments" />],
  ],
  actions: [
    {
      available: (c, me) =>
        !!c.pendingApproval &&
        !isEmployee(c, me) &&
        !!pendingLevel(c)?.approvers.includes(me.id) &&
        !pendingLevel(c)?.decisions.some((d) => d.approverId === me.id),
      spec: (c) => ({
        key: 'decide',
        titleKey: 'pip.actions.decide',
        title: i18n.t('pip.actions.decideKind', { kind: i18n.t(`${O}.${c.pendingApproval}`) }),
        defaults: { decision: 'approve' },
        fields: [
          {
            name: 'decision',
            labelKey: F('decision'),
            kind: 'select',
            options: c.pendingApproval === 'plan' ? ['approve', 'reject', 'request_changes'] : ['approve', 'reject'],
            optionsKey: O,
            required: true,
          },
          { name: 'comment', labelKey: F('comment'), kind: 'textarea', helpKey: F('commentHelp') },
        ],
        submit: (body) => call(api.POST('/pips/{id}/decisions', { ...path(c.id), body: body as Schemas['PipDecisionDto'] })),
      }),
    },
    {
      available: (c, me) => c.status === 'changes_requested' && isManager(c, me),
      spec: (c) => ({
        key: 'revise',
        titleKey: 'pip.actions.revise',
        defaults: { reason: c.reason, resources: c.resources, support: c.support, duration: c.duration, checkInEvery: c.checkInEvery },
        fields: [
          { name: 'reason', labelKey: F('reason'), kind: 'textarea', required: true },
          { name: 'resources', labelKey: F('resources'), kind: 'textarea', required: true },
          { name: 'support', labelKey: F('support'), kind: 'textarea', required: true },
          ...durationFields,
        ],
        submit: (body) => call(api.POST('/pips/{id}/revisions', { ...path(c.id), body: body as Schemas['RevisePipDto'] })),
      }),
    },
    {
      available: (c, me) => c.status === 'awaiting_acknowledgement' && isEmployee(c, me),
      spec: (c) => ({
        key: 'acknowledge',
        titleKey: 'pip.actions.acknowledge',
        defaults: { acknowledged: 'true' },
        fields: [
          { name: 'acknowledged', labelKey: F('acknowledged'), kind: 'select', options: ['true', 'false'], optionsKey: `${O}.ack`, required: true },
          { name: 'comment', labelKey: F('comment'), kind: 'textarea', helpKey: F('refuseHelp') },
        ],
        submit: (body) =>
          call(
            api.POST('/pips/{id}/acknowledgement', {
              ...path(c.id),
              body: { ...body, acknowledged: body.acknowledged === 'true' } as Schemas['PipAcknowledgementDto'],
            }),
          ),
      }),
    },
    {
      available: (c, me) => c.status === 'active' && isManager(c, me),
      spec: (c) => ({
        key: 'check-in',
        titleKey: 'pip.actions.checkIn',
        defaults: { goals: c.goals.map(() => ({ status: 'on_track' })) },
        fields: [
          ...c.goals.map((g, i) => ({
            name: `goals.${i}.status`,
            labelKey: F('goalStatus'),
            label: `${i + 1}. ${g.title}`,
            kind: 'select' as const,
            options: GOAL_STATUSES,
            optionsKey: O,
            required: true,
          })),
          { name: 'note', labelKey: F('note'), kind: 'textarea', required: true },
        ],
        submit: (body) => {
          const ratings = (body.goals ?? []) as { status?: string }[];
          const goals = c.goals.map((_, index) => ({ index, status: ratings[index]?.status }));
          return call(api.POST('/pips/{id}/check-ins', { ...path(c.id), body: { ...body, goals } as Schemas['PipCheckInDto'] }));
        },
      }),
    },
    {
      available: (c, me) =>
        ['active', 'pending_final_review'].includes(c.status) &&
        !!c.midpoint?.openedAt &&
        !isEmployee(c, me) &&
        (isManager(c, me) || hasRole(me, 'hr')) &&
        !c.midpoint.reviews.some((r) => r.by === me.id),
      spec: (c) => ({
        key: 'midpoint',
        titleKey: 'pip.actions.midpoint',
        fields: [{ name: 'note', labelKey: F('note'), kind: 'textarea', required: true }],
        submit: (body) => call(api.POST('/pips/{id}/midpoint-review', { ...path(c.id), body: body as Schemas['PipNoteDto'] })),
      }),
    },
    {
      available: (c, me) => OPEN.includes(c.status) && isEmployee(c, me),
      spec: (c) => ({
        key: 'comment',
        titleKey: 'pip.actions.comment',
        fields: [{ name: 'note', labelKey: F('yourView'), kind: 'textarea', required: true }],
        submit: (body) => call(api.POST('/pips/{id}/comments', { ...path(c.id), body: body as Schemas['PipNoteDto'] })),
      }),
    },
    {
      available: (c, me) => c.status === 'pending_final_review' && isManager(c, me),
      spec: (c) => ({
        key: 'outcome',
        titleKey: 'pip.actions.outcome',
        defaults: { outcome: 'passed' },
        fields: [
          { name: 'outcome', labelKey: F('outcome'), kind: 'select', options: ['passed', 'extended', 'failed'], optionsKey: O, required: true },
          { name: 'note', labelKey: F('note'), kind: 'textarea', required: true },
          { name: 'extension', labelKey: F('extension'), kind: 'text', helpKey: F('extensionHelp') },
        ],
        submit: (body) => call(api.POST('/pips/{id}/outcome', { ...path(c.id), body: body as Schemas['PipOutcomeDto'] })),
      }),
    },
    {
      available: (c, me) => OPEN.includes(c.status) && !isEmployee(c, me) && (isManager(c, me) || hasRole(me, 'hr')),
      spec: (c) => ({
        key: 'withdraw',
        titleKey: 'pip.actions.withdraw',
        fields: [{ name: 'reason', labelKey: F('reason'), kind: 'textarea', required: true }],
        submit: (body) => call(api.POST('/pips/{id}/withdraw', { ...path(c.id), body: body as Schemas['PipWithdrawDto'] })),
      }),
    },
  ],
};

function PipList() {
  return (
    <CaseList
      segment={SEGMENT}
      titleKey="nav.pips"
      load={async (cursor) => {
        const page = await call(api.GET('/pips', { params: { query: { cursor, limit: 25 } } }));
        return {
          nextCursor: page.nextCursor ?? null,
          items: page.items.map((c) => ({
            id: c.id,
            title: i18n.t('pip.heading', { employee: c.employeeId }),
            status: c.status,
            detail: `${c.managerId} · ${c.duration}`,
            updatedAt: c.updatedAt,
          })),
        };
      }}
    />
  );
}

function PipPage({ id }: { id: string }) {
  return <CaseShell id={id} spec={pageSpec} />;
}

export const pipModule: CaseModule = {
  caseType: 'pip',
  segment: SEGMENT,
  titleKey: 'pip.title',
  Page: PipPage,
  List: PipList,
  listNavKey: 'nav.pips',
  New: NewPip,
  newNavKey: 'nav.newPip',
  canStart: (me) => hasRole(me, 'manager'),
};
