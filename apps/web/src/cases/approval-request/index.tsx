import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { api, call, idempotencyKey, type Me, type Schemas } from '../../api/client';
import { formatDateTime } from '../../app/format';
import { ActionForm, type FieldSpec, type FormSpec } from '../../components/ActionForm';
import { ApprovalLevels } from '../../components/ApprovalLevels';
import { CaseList } from '../../components/CaseList';
import { CaseShell, caseKey, type CasePageSpec } from '../../components/CaseShell';
import { Countdown } from '../../components/Countdown';
import i18n from '../../i18n';
import type { CaseModule } from '../registry';

type ApprovalRequest = Schemas['ApprovalRequestResponseDto'];
type ApprovalType = Schemas['ApprovalTypeDto'];
type TypeField = Schemas['FieldSpecDto'];
const SEGMENT = 'approval-requests';
const F = (name: string) => `ar.fields.${name}`;
const O = 'ar.options';
const path = (id: string) => ({ params: { path: { id } } });
const DEFAULT_CURRENCY = 'CNY';

/** The request types are data (`GET /approval-types`, from APPROVAL_TYPES_FILE): the forms follow them. */
function useApprovalTypes() {
  return useQuery({ queryKey: ['approval-types'], queryFn: () => call(api.GET('/approval-types')), staleTime: 5 * 60_000 });
}

const humanize = (name: string) => name.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/^./, (c) => c.toUpperCase());
/** A type field's label: a translation of its name when the console has one, else the file's label, else its name. */
const fieldLabel = (name: string, f?: TypeField) => i18n.t(`ar.fieldNames.${name}`, { defaultValue: f?.label ?? humanize(name) });
const typeTitle = (type: string, fallback: string) => i18n.t(`ar.types.${type}`, { defaultValue: fallback });

/** One form field per type field, named by the body path the API's 400 names (`fields.amount.value`). */
function typeFields(type: ApprovalType): FieldSpec[] {
  return Object.entries(type.fields).flatMap(([name, f]): FieldSpec[] => {
    const base = { labelKey: `ar.fieldNames.${name}`, label: fieldLabel(name, f), required: f.required, help: f.description };
    const at = `fields.${name}`;
    switch (f.type) {
      case 'money':
        return [
          { ...base, name: `${at}.value`, kind: 'number' },
          {
            ...base,
            name: `${at}.currency`,
            label: `${base.label} · ${i18n.t(F('currency'))}`,
            help: undefined,
            ...(f.currencies?.length ? { kind: 'select', options: f.currencies } : { kind: 'text' }),
          },
        ];
      case 'text':
        return [{ ...base, name: at, kind: 'textarea' }];
      case 'number':
        return [{ ...base, name: at, kind: 'number' }];
      case 'date':
        return [{ ...base, name: at, kind: 'date' }];
      case 'enum':
        return [{ ...base, name: at, kind: 'select', options: f.values ?? [], optionsKey: 'ar.values' }];
      case 'user':
        return [{ ...base, name: at, kind: 'text', help: f.description ?? i18n.t(F('userHelp')) }];
      default:
        return [{ ...base, name: at, kind: 'text' }];
    }
  });
}

/** Defaults for a type's form: a currency for money, the first value of a required enum; or the request's values. */
function typeDefaults(type: ApprovalType, values?: Record<string, unknown>): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [name, f] of Object.entries(type.fields)) {
    if (values && values[name] !== undefined) fields[name] = values[name];
    else if (f.type === 'money') fields[name] = { currency: f.currencies?.[0] ?? DEFAULT_CURRENCY };
    else if (f.type === 'enum' && f.required) fields[name] = f.values?.[0];
  }
  return { fields };
}

function NewApprovalRequest() {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const { t } = useTranslation();
  const types = useApprovalTypes();
  const [picked, setPicked] = useState<string | null>(null);
  const list = types.data?.items ?? [];
  const type = list.find((x) => x.type === picked) ?? list[0];
  if (types.error) return <p role="alert">{types.error.message}</p>;
  if (!type) return <p>{t('app.loading')}</p>;
  const spec: FormSpec<ApprovalRequest> = {
    key: 'submit-request',
    titleKey: 'ar.new',
    intro: type.description ? <p className="muted">{type.description}</p> : null,
    fields: [{ name: 'title', labelKey: F('title'), kind: 'text', required: true }, ...typeFields(type)],
    defaults: typeDefaults(type),
    submit: (body) =>
      call(
        api.POST('/approval-requests', {
          body: { type: type.type, title: body.title, fields: body.fields ?? {} } as Schemas['SubmitApprovalRequestDto'],
          params: { header: { 'Idempotency-Key': idempotencyKey() } },
        }),
      ),
  };
  return (
    <section className="narrow" aria-labelledby="new-request-title">
      <h1 id="new-request-title">{t('ar.new')}</h1>
      <label className="picker">
        {t(F('type'))}
        <select value={type.type} onChange={(e) => setPicked(e.target.value)} data-testid="request-type">
          {list.map((x) => (
            <option key={x.type} value={x.type}>
              {typeTitle(x.type, x.title)}
            </option>
          ))}
        </select>
      </label>
      <p className="muted" data-testid="route-preview">
        {t('ar.route')}: {type.route.map((l) => `${i18n.t(`ar.levels.${l.name}`, { defaultValue: l.name })}${l.when ? ` (${t('ar.conditional')})` : ''}`).join(' → ')}
      </p>
      {/* a new type is a new form: its fields and defaults */}
      <ActionForm
        key={type.type}
        spec={{ ...spec, title: typeTitle(type.type, type.title) }}
        onDone={(r) => {
          qc.setQueryData(caseKey(SEGMENT, r.id), r);
          void navigate(`/view/${SEGMENT}/${r.id}`);
        }}
      />
    </section>
  );
}

function formatValue(value: unknown, f?: TypeField): string {
  if (value === null || value === undefined || value === '') return '—';
  if (f?.type === 'money' && typeof value === 'object') {
    const m = value as { value?: number; currency?: string };
    return `${new Intl.NumberFormat(i18n.language === 'zh' ? 'zh-CN' : 'en-GB').format(m.value ?? 0)} ${m.currency ?? ''}`.trim();
  }
  if (f?.type === 'enum') return i18n.t(`ar.values.${String(value)}`, { defaultValue: String(value) });
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** A pending level with a timeout: when it ends, and what happens then (escalate, approve, reject). */
function clocks(c: ApprovalRequest): ReactNode {
  const t = i18n.t.bind(i18n);
  const timed = c.approvalLevels.filter((l) => l.status === 'pending' && l.timeout && l.startedAt);
  if (timed.length === 0) return null;
  return (
    <div className="clocks">
      {timed.map((l) => (
        <Countdown
          key={l.name}
          testId={`level-timeout-${l.name}`}
          label={t('ar.timeout', { level: i18n.t(`ar.levels.${l.name}`, { defaultValue: l.name }), then: t(`ar.onTimeout.${l.timeout!.onTimeout}`) })}
          status="running"
          targetAt={new Date(new Date(l.startedAt!).getTime() + l.timeout!.afterMs).toISOString()}
        />
      ))}
    </div>
  );
}

const pendingLevel = (c: ApprovalRequest) => c.approvalLevels.find((l) => l.status === 'pending');
const isRequester = (c: ApprovalRequest, me: Me) => me.id === c.requesterId;

function pageSpec(types: ApprovalType[]): CasePageSpec<ApprovalRequest> {
  const typeOf = (c: ApprovalRequest) => types.find((x) => x.type === c.type);
  return {
    segment: SEGMENT,
    titleKey: 'ar.title',
    load: (id) => call(api.GET('/approval-requests/{id}', path(id))),
    loadAudit: (id) => call(api.GET('/approval-requests/{id}/audit', { params: { path: { id }, query: { limit: 200 } } })),
    heading: (c) => c.title,
    deadlines: clocks,
    fields: (c) => {
      const type = typeOf(c);
      const names = [...Object.keys(type?.fields ?? {}), ...Object.keys(c.fields).filter((n) => !type?.fields[n])];
      return [
        [F('type'), <span data-testid="request-type-title">{typeTitle(c.type, c.typeTitle)}</span>],
        ...names.map((n): [string, string] => [fieldLabel(n, type?.fields[n]), formatValue(c.fields[n], type?.fields[n])]),
        [F('revision'), c.revision],
        [F('decidedAt'), formatDateTime(c.decidedAt)],
        [F('fulfilment'), c.fulfilment?.note ? `${c.fulfilment.note} (${c.fulfilment.by}, ${formatDateTime(c.fulfilment.at)})` : null],
        [F('withdrawal'), c.withdrawal ? c.withdrawal.reason : null],
      ];
    },
    people: (c) => [
      [F('requesterId'), c.requesterId],
      [F('currentApprovers'), pendingLevel(c)?.approvers.join(', ') ?? null],
      [F('decidedBy'), c.decidedBy],
      [F('fulfilledBy'), c.fulfilment ? (c.fulfilment.by ?? c.fulfilment.assignees.join(', ')) : null],
    ],
    approvals: (c) => (
      <>
        <ApprovalLevels levels={c.approvalLevels} optionsKey={O} />
        {c.previousRounds.map((levels, i) => (
          <div key={i} className="round">
            <h3>{i18n.t('ar.previousRound', { n: i + 1 })}</h3>
            <ApprovalLevels levels={levels} optionsKey={O} testId={`approval-levels-round-${i + 1}`} />
          </div>
        ))}
      </>
    ),
    actions: [
      {
        available: (c, me) =>
          c.status === 'pending_approval' &&
          !isRequester(c, me) &&
          !!pendingLevel(c)?.approvers.includes(me.id) &&
          !c.approvalLevels.some((l) => l.decisions.some((d) => d.approverId === me.id)),
        spec: (c) => ({
          key: 'decide',
          titleKey: 'ar.actions.decide',
          defaults: { decision: 'approve' },
          fields: [
            { name: 'decision', labelKey: F('decision'), kind: 'select', options: ['approve', 'reject', 'request_changes'], optionsKey: O, required: true },
            { name: 'comment', labelKey: F('comment'), kind: 'textarea', helpKey: F('commentHelp') },
          ],
          submit: (body) => call(api.POST('/approval-requests/{id}/decisions', { ...path(c.id), body: body as Schemas['ApprovalRequestDecisionDto'] })),
        }),
      },
      {
        available: (c, me) => c.status === 'changes_requested' && isRequester(c, me) && !!typeOf(c),
        spec: (c) => {
          const type = typeOf(c)!;
          return {
            key: 'revise',
            titleKey: 'ar.actions.revise',
            defaults: { title: c.title, ...typeDefaults(type, c.fields) },
            fields: [{ name: 'title', labelKey: F('title'), kind: 'text', required: true }, ...typeFields(type)],
            submit: (body) => call(api.POST('/approval-requests/{id}/revisions', { ...path(c.id), body: body as Schemas['ReviseApprovalRequestDto'] })),
          };
        },
      },
      {
        available: (c, me) => c.status === 'approved' && !!c.fulfilment?.assignees.includes(me.id),
        spec: (c) => ({
          key: 'fulfil',
          titleKey: 'ar.actions.fulfil',
          fields: [{ name: 'note', labelKey: F('note'), kind: 'textarea', required: true, helpKey: F('noteHelp') }],
          submit: (body) => call(api.POST('/approval-requests/{id}/fulfilment', { ...path(c.id), body: body as Schemas['FulfilmentDto'] })),
        }),
      },
      {
        available: (c, me) => ['pending_approval', 'changes_requested', 'approved'].includes(c.status) && isRequester(c, me),
        spec: (c) => ({
          key: 'withdraw',
          titleKey: 'ar.actions.withdraw',
          fields: [{ name: 'reason', labelKey: F('reason'), kind: 'textarea', required: true }],
          submit: (body) => call(api.POST('/approval-requests/{id}/withdraw', { ...path(c.id), body: body as Schemas['WithdrawApprovalRequestDto'] })),
        }),
      },
    ],
  };
}

function ApprovalRequestList() {
  return (
    <CaseList
      segment={SEGMENT}
      titleKey="nav.approvals"
      load={async (cursor) => {
        const page = await call(api.GET('/approval-requests', { params: { query: { cursor, limit: 25 } } }));
        return {
          nextCursor: page.nextCursor,
          items: page.items.map((c) => ({
            id: c.id,
            title: c.title,
            status: c.status,
            detail: `${typeTitle(c.type, c.typeTitle)} · ${c.requesterId}${c.currentLevel ? ` · ${c.currentLevel}` : ''}`,
            updatedAt: c.updatedAt,
          })),
        };
      }}
    />
  );
}

function ApprovalRequestPage({ id }: { id: string }) {
  const { t } = useTranslation();
  const types = useApprovalTypes();
  const spec = useMemo(() => pageSpec(types.data?.items ?? []), [types.data]);
  if (!types.data && !types.error) return <p>{t('app.loading')}</p>;
  return <CaseShell id={id} spec={spec} />;
}

export const approvalRequestModule: CaseModule = {
  caseType: 'approval_request',
  segment: SEGMENT,
  titleKey: 'ar.title',
  Page: ApprovalRequestPage,
  List: ApprovalRequestList,
  listNavKey: 'nav.approvals',
  New: NewApprovalRequest,
  newNavKey: 'nav.newApproval',
  canStart: () => true,
};
