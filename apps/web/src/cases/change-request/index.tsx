import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { api, call, idempotencyKey, type Me, type Schemas } from '../../api/client';
import { formatDateTime } from '../../app/format';
import { ActionForm, type FieldSpec, type FormSpec } from '../../components/ActionForm';
import { ApprovalLevels } from '../../components/ApprovalLevels';
import { Tr } from '../../components/Tr';
import { CaseList } from '../../components/CaseList';
import { CaseShell, caseKey, type CasePageSpec } from '../../components/CaseShell';
import type { CaseModule } from '../registry';
import { riskOf } from './risk';

type ChangeRequest = Schemas['ChangeRequestResponseDto'];
const SEGMENT = 'change-requests';
const LIKELIHOOD = ['low', 'medium', 'high'] as const;
const F = (name: string) => `cr.fields.${name}`;
const O = 'cr.options';
const path = (id: string) => ({ params: { path: { id } } });

const submitFields: FieldSpec[] = [
  { name: 'title', labelKey: F('title'), kind: 'text', required: true },
  { name: 'description', labelKey: F('description'), kind: 'textarea', required: true },
  { name: 'type', labelKey: F('type'), kind: 'select', options: ['standard', 'normal', 'emergency'], optionsKey: O, required: true },
  { name: 'probability', labelKey: F('probability'), kind: 'select', options: LIKELIHOOD, optionsKey: O, required: true },
  { name: 'impact', labelKey: F('impact'), kind: 'select', options: LIKELIHOOD, optionsKey: O, required: true },
  { name: 'affectedSystems', labelKey: F('affectedSystems'), kind: 'list', required: true, helpKey: F('affectedHelp') },
  { name: 'plannedStart', labelKey: F('plannedStart'), kind: 'datetime', required: true },
  { name: 'plannedEnd', labelKey: F('plannedEnd'), kind: 'datetime', required: true },
  { name: 'rollbackPlan', labelKey: F('rollbackPlan'), kind: 'textarea', required: true },
  { name: 'implementerId', labelKey: F('implementerId'), kind: 'text', required: true },
];

function RiskPreview({ probability, impact }: { probability: string; impact: string }) {
  const { t } = useTranslation();
  const risk = riskOf(probability, impact);
  return risk ? (
    <p data-testid="risk-preview" data-risk={risk}>
      {t('cr.riskPreview', { risk: t(`${O}.${risk}`) })}
    </p>
  ) : null;
}

/** datetime-local wants local time without a zone. */
const localInput = (d: Date) => new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);

function NewChangeRequest() {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const { t } = useTranslation();
  const now = new Date();
  const spec: FormSpec<ChangeRequest> = {
    key: 'submit-change',
    titleKey: 'cr.new',
    fields: submitFields,
    defaults: {
      type: 'normal',
      probability: 'low',
      impact: 'medium',
      plannedStart: localInput(now),
      plannedEnd: localInput(new Date(now.getTime() + 7 * 86_400_000)),
    },
    preview: (v) => <RiskPreview probability={String(v.probability ?? '')} impact={String(v.impact ?? '')} />,
    submit: (body) =>
      call(
        api.POST('/change-requests', {
          body: body as Schemas['SubmitChangeRequestDto'],
          params: { header: { 'Idempotency-Key': idempotencyKey() } },
        }),
      ),
  };
  return (
    <section className="narrow" aria-label={t('cr.new')}>
      <ActionForm
        spec={spec}
        onDone={(cr) => {
          qc.setQueryData(caseKey(SEGMENT, cr.id), cr);
          void navigate(`/view/${SEGMENT}/${cr.id}`);
        }}
      />
    </section>
  );
}

const pendingLevel = (c: ChangeRequest) => c.approvalLevels.find((l) => l.status === 'pending');
const excluded = (c: ChangeRequest, me: Me) => me.id === c.requesterId || me.id === c.implementerId;

const pageSpec: CasePageSpec<ChangeRequest> = {
  segment: SEGMENT,
  titleKey: 'cr.title',
  load: (id) => call(api.GET('/change-requests/{id}', path(id))),
  loadAudit: (id) => call(api.GET('/change-requests/{id}/audit', { params: { path: { id }, query: { limit: 200 } } })),
  heading: (c) => c.title,
  fields: (c) => [
    [F('type'), <Tr prefix={O} value={c.type} />],
    [F('riskLevel'), <span data-testid="risk-level" data-risk={c.riskLevel}><Tr prefix={O} value={c.riskLevel} /></span>],
    [F('probability'), <Tr prefix={O} value={c.probability} />],
    [F('impact'), <Tr prefix={O} value={c.impact} />],
    [F('affectedSystems'), c.affectedSystems.join(', ')],
    [F('plannedStart'), formatDateTime(c.plannedStart)],
    [F('plannedEnd'), formatDateTime(c.plannedEnd)],
    [F('description'), c.description],
    [F('rollbackPlan'), c.rollbackPlan],
    [F('revision'), c.revision],
  ],
  people: (c) => [
    [F('requesterId'), c.requesterId],
    [F('implementerId'), c.implementerId],
    [F('reviewerId'), c.reviewerId],
  ],
  approvals: (c) => <ApprovalLevels levels={c.approvalLevels} optionsKey={O} />,
  actions: [
    {
      available: (c, me) =>
        c.status === 'pending_approval' &&
        !excluded(c, me) &&
        !!pendingLevel(c)?.approvers.includes(me.id) &&
        !pendingLevel(c)?.decisions.some((d) => d.approverId === me.id),
      spec: (c) => ({
        key: 'decide',
        titleKey: 'cr.actions.decide',
        defaults: { decision: 'approve' },
        fields: [
          { name: 'decision', labelKey: F('decision'), kind: 'select', options: ['approve', 'reject', 'request_changes'], optionsKey: O, required: true },
          { name: 'comment', labelKey: F('comment'), kind: 'textarea' },
        ],
        submit: (body) => call(api.POST('/change-requests/{id}/decisions', { ...path(c.id), body: body as Schemas['DecisionDto'] })),
      }),
    },
    {
      available: (c, me) => c.status === 'changes_requested' && me.id === c.requesterId,
      spec: (c) => ({
        key: 'revise',
        titleKey: 'cr.actions.revise',
        defaults: { title: c.title, description: c.description, probability: c.probability, impact: c.impact, rollbackPlan: c.rollbackPlan },
        fields: submitFields.filter((f) => ['title', 'description', 'probability', 'impact', 'rollbackPlan'].includes(f.name)),
        preview: (v) => <RiskPreview probability={String(v.probability ?? '')} impact={String(v.impact ?? '')} />,
        submit: (body) => call(api.POST('/change-requests/{id}/revisions', { ...path(c.id), body: body as Schemas['ReviseChangeRequestDto'] })),
      }),
    },
    {
      available: (c, me) => ['scheduled', 'in_progress'].includes(c.status) && me.id === c.implementerId,
      spec: (c) => ({
        key: 'implementation',
        titleKey: 'cr.actions.implementation',
        defaults: { event: c.status === 'scheduled' ? 'started' : 'completed' },
        fields: [
          {
            name: 'event',
            labelKey: F('event'),
            kind: 'select',
            options: c.status === 'scheduled' ? ['started'] : ['completed', 'failed'],
            optionsKey: O,
            required: true,
          },
          { name: 'note', labelKey: F('note'), kind: 'textarea' },
        ],
        submit: (body) => call(api.POST('/change-requests/{id}/implementation', { ...path(c.id), body: body as Schemas['ImplementationDto'] })),
      }),
    },
    {
      available: (c, me) => c.status === 'implemented' && me.id === c.requesterId,
      spec: (c) => ({
        key: 'verification',
        titleKey: 'cr.actions.verification',
        defaults: { outcome: 'verified' },
        fields: [
          { name: 'outcome', labelKey: F('outcome'), kind: 'select', options: ['verified', 'failed'], optionsKey: O, required: true },
          { name: 'note', labelKey: F('note'), kind: 'textarea' },
        ],
        submit: (body) => call(api.POST('/change-requests/{id}/verification', { ...path(c.id), body: body as Schemas['VerificationDto'] })),
      }),
    },
    {
      available: (c, me) => c.review.required && !c.review.at && c.status === 'implemented' && me.id === c.reviewerId,
      spec: (c) => ({
        key: 'review',
        titleKey: 'cr.actions.review',
        fields: [{ name: 'note', labelKey: F('note'), kind: 'textarea', required: true }],
        submit: (body) => call(api.POST('/change-requests/{id}/review', { ...path(c.id), body: body as Schemas['ReviewDto'] })),
      }),
    },
    {
      available: (c, me) => ['pending_approval', 'changes_requested', 'scheduled'].includes(c.status) && me.id === c.requesterId,
      spec: (c) => ({
        key: 'withdraw',
        titleKey: 'cr.actions.withdraw',
        fields: [{ name: 'reason', labelKey: F('reason'), kind: 'textarea', required: true }],
        submit: (body) => call(api.POST('/change-requests/{id}/withdraw', { ...path(c.id), body: body as Schemas['WithdrawDto'] })),
      }),
    },
  ],
};

function ChangeRequestList() {
  return (
    <CaseList
      segment={SEGMENT}
      titleKey="nav.changes"
      load={async (cursor) => {
        const page = await call(api.GET('/change-requests', { params: { query: { cursor, limit: 25 } } }));
        return {
          nextCursor: page.nextCursor,
          items: page.items.map((c) => ({ id: c.id, title: c.title, status: c.status, detail: `${c.type} · ${c.riskLevel} · ${c.requesterId}`, updatedAt: c.updatedAt })),
        };
      }}
    />
  );
}

function ChangeRequestPage({ id }: { id: string }) {
  return <CaseShell id={id} spec={pageSpec} />;
}

export const changeRequestModule: CaseModule = {
  caseType: 'change_request',
  segment: SEGMENT,
  titleKey: 'cr.title',
  Page: ChangeRequestPage,
  List: ChangeRequestList,
  listNavKey: 'nav.changes',
  New: NewChangeRequest,
  newNavKey: 'nav.newChange',
  canStart: () => true,
};
