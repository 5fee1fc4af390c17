import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { api, call, idempotencyKey, type Me, type Schemas } from '../../api/client';
import { hasRole, SERVICE_ROLES } from '../../app/format';
import { ActionForm, type FieldSpec, type FormSpec } from '../../components/ActionForm';
import { ApprovalLevels } from '../../components/ApprovalLevels';
import { Tr } from '../../components/Tr';
import { CaseList } from '../../components/CaseList';
import { CaseShell, caseKey, type CasePageSpec } from '../../components/CaseShell';
import { Countdown } from '../../components/Countdown';
import type { CaseModule } from '../registry';
import { priorityOf } from './priority';

type Complaint = Schemas['ComplaintResponseDto'];
const SEGMENT = 'complaints';
const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
const F = (name: string) => `complaint.fields.${name}`;
const O = 'complaint.options';
const path = (id: string) => ({ params: { path: { id } } });
const LEADS = ['team_lead', 'supervisor'];

const openFields: FieldSpec[] = [
  { name: 'customer.id', labelKey: F('customerId'), kind: 'text', required: true },
  { name: 'customer.name', labelKey: F('customerName'), kind: 'text', required: true },
  { name: 'customer.tier', labelKey: F('tier'), kind: 'select', options: ['A', 'B', 'C'], optionsKey: O, required: true },
  { name: 'channel', labelKey: F('channel'), kind: 'select', options: ['phone', 'email', 'chat', 'social', 'web'], optionsKey: O, required: true },
  { name: 'subject', labelKey: F('subject'), kind: 'text', required: true },
  { name: 'description', labelKey: F('description'), kind: 'textarea', required: true },
  { name: 'severity', labelKey: F('severity'), kind: 'select', options: SEVERITIES, optionsKey: O, required: true },
];

function PriorityPreview({ severity, tier }: { severity: string; tier: string }) {
  const { t } = useTranslation();
  const p = priorityOf(severity, tier);
  return p ? <p data-testid="priority-preview">{t('complaint.priorityPreview', { priority: p })}</p> : null;
}

function NewComplaint() {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const { t } = useTranslation();
  const spec: FormSpec<Complaint> = {
    key: 'open-complaint',
    titleKey: 'complaint.new',
    fields: openFields,
    defaults: { customer: { tier: 'B' }, channel: 'phone', severity: 'medium' },
    preview: (v) => {
      const customer = (v.customer ?? {}) as { tier?: string };
      return <PriorityPreview severity={String(v.severity ?? '')} tier={String(customer.tier ?? '')} />;
    },
    submit: (body) =>
      call(api.POST('/complaints', { body: body as Schemas['OpenComplaintDto'], params: { header: { 'Idempotency-Key': idempotencyKey() } } })),
  };
  return (
    <section className="narrow" aria-label={t('complaint.new')}>
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

function Clocks({ c }: { c: Complaint }) {
  const { t } = useTranslation();
  const clocks: [string, Schemas['SlaClockDto'] | null][] = [
    ['firstResponse', c.sla.firstResponse],
    ['update', c.sla.update],
    ['resolution', c.sla.resolution],
  ];
  return (
    <div className="clocks">
      {clocks
        .filter((x): x is [string, Schemas['SlaClockDto']] => !!x[1])
        .map(([name, clock]) => (
          <Countdown
            key={name}
            testId={`sla-${name}`}
            label={t(`complaint.sla.${name}`)}
            status={clock.status}
            targetAt={clock.targetAt}
            remainingMs={clock.remainingMs}
          />
        ))}
    </div>
  );
}

const isOwner = (c: Complaint, me: Me) => me.id === c.ownerId;
const ownerOrLead = (c: Complaint, me: Me) => isOwner(c, me) || hasRole(me, ...LEADS);
const ACTIVE = ['open', 'in_progress', 'awaiting_customer', 'pending_compensation_approval'];

const pageSpec: CasePageSpec<Complaint> = {
  segment: SEGMENT,
  titleKey: 'complaint.title',
  load: (id) => call(api.GET('/complaints/{id}', path(id))),
  loadAudit: (id) => call(api.GET('/complaints/{id}/audit', { params: { path: { id }, query: { limit: 200 } } })),
  heading: (c) => c.subject,
  deadlines: (c) => <Clocks c={c} />,
  fields: (c) => [
    [F('priority'), <span data-testid="priority">{c.priority}</span>],
    [F('severity'), <Tr prefix={O} value={c.severity} />],
    [F('customer'), `${c.customer.name} (${c.customer.id}, ${c.customer.tier})`],
    [F('channel'), <Tr prefix={O} value={c.channel} />],
    [F('description'), c.description],
    [F('escalationLevel'), c.escalationLevel],
    [F('reopenCount'), c.reopenCount],
  ],
  people: (c) => [
    [F('ownerId'), c.ownerId],
    [F('team'), c.team],
  ],
  approvals: (c) => (c.compensationApproval.length ? <ApprovalLevels levels={c.compensationApproval} optionsKey={O} /> : null),
  actions: [
    {
      available: (c, me) => isOwner(c, me) && ['open', 'in_progress', 'awaiting_customer'].includes(c.status),
      spec: (c) => ({
        key: 'respond',
        titleKey: 'complaint.actions.respond',
        fields: [{ name: 'message', labelKey: F('message'), kind: 'textarea', required: true }],
        submit: (body) => call(api.POST('/complaints/{id}/responses', { ...path(c.id), body: body as Schemas['RespondDto'] })),
      }),
    },
    {
      available: (c, me) => isOwner(c, me) && ['open', 'in_progress'].includes(c.status),
      spec: (c) => ({
        key: 'resolve',
        titleKey: 'complaint.actions.resolve',
        defaults: { compensation: { currency: 'CNY' } },
        fields: [
          { name: 'summary', labelKey: F('summary'), kind: 'textarea', required: true },
          { name: 'compensation.amount', labelKey: F('amount'), kind: 'number' },
          { name: 'compensation.currency', labelKey: F('currency'), kind: 'text' },
        ],
        submit: (body) => {
          const comp = body.compensation as { amount?: number } | undefined;
          const { compensation: _c, ...rest } = body;
          return call(
            api.POST('/complaints/{id}/resolution', {
              ...path(c.id),
              body: (comp?.amount !== undefined ? body : rest) as Schemas['ResolutionDto'],
            }),
          );
        },
      }),
    },
    {
      available: (c, me) => ownerOrLead(c, me) && c.status === 'in_progress',
      spec: (c) => ({
        key: 'pause',
        titleKey: 'complaint.actions.pause',
        fields: [{ name: 'reason', labelKey: F('reason'), kind: 'textarea', required: true }],
        submit: (body) => call(api.POST('/complaints/{id}/pause', { ...path(c.id), body: body as Schemas['PauseDto'] })),
      }),
    },
    {
      available: (c, me) => ownerOrLead(c, me) && c.status === 'awaiting_customer',
      spec: (c) => ({
        key: 'resume',
        titleKey: 'complaint.actions.resume',
        fields: [],
        submit: () => call(api.POST('/complaints/{id}/resume', { ...path(c.id), body: {} })),
      }),
    },
    {
      available: (c, me) => ownerOrLead(c, me) && ACTIVE.includes(c.status),
      spec: (c) => ({
        key: 'priority',
        titleKey: 'complaint.actions.priority',
        defaults: { severity: c.severity },
        fields: [
          { name: 'severity', labelKey: F('severity'), kind: 'select', options: SEVERITIES, optionsKey: O, required: true },
          { name: 'reason', labelKey: F('reason'), kind: 'textarea', required: true },
        ],
        preview: (v) => <PriorityPreview severity={String(v.severity ?? '')} tier={c.customer.tier} />,
        submit: (body) => call(api.POST('/complaints/{id}/priority', { ...path(c.id), body: body as Schemas['PriorityDto'] })),
      }),
    },
    {
      available: (c, me) => ownerOrLead(c, me) && ACTIVE.includes(c.status),
      spec: (c) => ({
        key: 'transfer',
        titleKey: 'complaint.actions.transfer',
        fields: [
          { name: 'toUserId', labelKey: F('toUserId'), kind: 'text', required: true },
          { name: 'reason', labelKey: F('reason'), kind: 'textarea', required: true },
        ],
        submit: (body) => call(api.POST('/complaints/{id}/transfers', { ...path(c.id), body: body as Schemas['TransferDto'] })),
      }),
    },
    {
      available: (c, me) => c.status === 'pending_compensation_approval' && hasRole(me, 'supervisor') && !isOwner(c, me),
      spec: (c) => ({
        key: 'compensation',
        titleKey: 'complaint.actions.compensation',
        defaults: { decision: 'approve' },
        fields: [
          { name: 'decision', labelKey: F('decision'), kind: 'select', options: ['approve', 'reject'], optionsKey: O, required: true },
          { name: 'comment', labelKey: F('comment'), kind: 'textarea' },
        ],
        submit: (body) =>
          call(api.POST('/complaints/{id}/compensation/decisions', { ...path(c.id), body: body as Schemas['CompensationDecisionDto'] })),
      }),
    },
    {
      available: (c, me) => c.status === 'resolved' && hasRole(me, ...SERVICE_ROLES),
      spec: (c) => ({
        key: 'feedback',
        titleKey: 'complaint.actions.feedback',
        defaults: { satisfied: true },
        fields: [
          { name: 'satisfied', labelKey: F('satisfied'), kind: 'checkbox' },
          { name: 'comment', labelKey: F('comment'), kind: 'textarea' },
        ],
        submit: (body) =>
          call(api.POST('/complaints/{id}/feedback', { ...path(c.id), body: { ...body, satisfied: body.satisfied === true } as Schemas['FeedbackDto'] })),
      }),
    },
  ],
};

function ComplaintList() {
  return (
    <CaseList
      segment={SEGMENT}
      titleKey="nav.complaints"
      load={async (cursor) => {
        const page = await call(api.GET('/complaints', { params: { query: { cursor, limit: 25 } } }));
        return {
          nextCursor: page.nextCursor,
          items: page.items.map((c) => ({ id: c.id, title: c.subject, status: c.status, detail: `${c.priority} · ${c.customer.name} · ${c.ownerId}`, updatedAt: c.updatedAt })),
        };
      }}
    />
  );
}

function ComplaintPage({ id }: { id: string }) {
  return <CaseShell id={id} spec={pageSpec} />;
}

export const complaintModule: CaseModule = {
  caseType: 'complaint',
  segment: SEGMENT,
  titleKey: 'complaint.title',
  Page: ComplaintPage,
  List: ComplaintList,
  listNavKey: 'nav.complaints',
  New: NewComplaint,
  newNavKey: 'nav.newComplaint',
  canStart: (me) => hasRole(me, ...SERVICE_ROLES),
};
