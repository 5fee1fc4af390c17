import { useQuery, useQueryClient, type QueryKey } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client';
import { keys, useMe, type AuditEvent } from '../api/queries';
import type { Me } from '../api/client';
import { ActionForm, type FormSpec } from './ActionForm';
import { Timeline } from './Timeline';

export interface CaseBase {
  id: string;
  status: string;
}

export interface CasePageSpec<C extends CaseBase> {
  segment: string;
  titleKey: string;
  load(id: string): Promise<C>;
  loadAudit(id: string): Promise<{ items: AuditEvent[] }>;
  heading(c: C): string;
  fields(c: C): [string, ReactNode][];
  people(c: C): [string, string | null][];
  /** Running deadlines; null hides the section. */
  deadlines?(c: C): ReactNode;
  approvals?(c: C): ReactNode;
  /** More sections of the main column (statements, check-ins, follow-up actions): [titleKey, body]. */
  sections?(c: C): [string, ReactNode][];
  /** The contract's actions on this case type; `available` hides what this user may not do now (the API still decides). */
  actions: { spec: (c: C) => FormSpec<C>; available(c: C, me: Me): boolean }[];
  /** Actions on the case's parts (one per statement to decide, per follow-up action to complete), each with its own key. */
  partActions?(c: C, me: Me): FormSpec<C>[];
}

export const caseKey = (segment: string, id: string): QueryKey => ['case', segment, id];

/** The page every case type shares: status, fields, people, deadlines, approvals, actions, and the audit timeline. */
export function CaseShell<C extends CaseBase>({ id, spec }: { id: string; spec: CasePageSpec<C> }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const me = useMe();
  const key = caseKey(spec.segment, id);
  const c = useQuery({ queryKey: key, queryFn: () => spec.load(id), refetchInterval: 20_000 });
  const audit = useQuery({ queryKey: [...key, 'audit'], queryFn: () => spec.loadAudit(id) });

  if (c.error) {
    const status = c.error instanceof ApiError ? c.error.status : 0;
    return <p role="alert">{status === 404 || status === 403 ? t('case.notFound') : `${t('errors.generic')}: ${c.error.message}`}</p>;
  }
  if (!c.data || !me.data) return <p>{t('app.loading')}</p>;
  const data = c.data;
  const user = me.data;
  const forms = [...spec.actions.filter((a) => a.available(data, user)).map((a) => a.spec(data)), ...(spec.partActions?.(data, user) ?? [])];
  const approvals = spec.approvals?.(data) ?? null;
  const deadlines = spec.deadlines?.(data) ?? null;

  // Read your writes: the action's response is the case as it now stands; the timeline, tasks and notifications follow.
  const onDone = (next: C) => {
    qc.setQueryData(key, next);
    void qc.invalidateQueries({ queryKey: [...key, 'audit'] });
    void qc.invalidateQueries({ queryKey: keys.tasks });
    void qc.invalidateQueries({ queryKey: ['notifications'] });
  };

  return (
    <article className="case" aria-labelledby="case-title">
      <header className="case-head">
        <p className="muted">{t(spec.titleKey)}</p>
        <h1 id="case-title">{spec.heading(data)}</h1>
        <p>
          {t('case.status')}:{' '}
          <span className={`pill ${data.status}`} data-testid="case-status" data-status={data.status}>
            {t(`status.${data.status}`, { defaultValue: data.status })}
          </span>
        </p>
      </header>
      <div className="case-grid">
        <div className="case-main">
          {deadlines ? (
            <section aria-labelledby="deadlines">
              <h2 id="deadlines">{t('case.deadlines')}</h2>
              {deadlines}
            </section>
          ) : null}
          <section aria-labelledby="fields">
            <h2 id="fields">{t('case.fields')}</h2>
            <dl className="fields">
              {spec.fields(data).map(([label, value]) => (
                <div key={label}>
                  <dt>{t(label)}</dt>
                  <dd>{value ?? '—'}</dd>
                </div>
              ))}
            </dl>
          </section>
          <section aria-labelledby="people">
            <h2 id="people">{t('case.people')}</h2>
            <dl className="fields">
              {spec.people(data).map(([label, who]) => (
                <div key={label}>
                  <dt>{t(label)}</dt>
                  <dd>{who ?? '—'}</dd>
                </div>
              ))}
            </dl>
          </section>
          {approvals ? (
            <section aria-labelledby="approvals">
              <h2 id="approvals">{t('case.approvals')}</h2>
              {approvals}
            </section>
          ) : null}
          {(spec.sections?.(data) ?? []).map(([titleKey, body], i) => (
            <section key={titleKey} aria-labelledby={`section-${i}`}>
              <h2 id={`section-${i}`}>{t(titleKey)}</h2>
              {body}
            </section>
          ))}
        </div>
        <aside className="case-side">
          <section aria-labelledby="actions">
            <h2 id="actions">{t('case.actions')}</h2>
            {forms.length === 0 ? <p className="muted">{t('case.noActions')}</p> : null}
            {forms.map((form) => (
              <ActionForm key={`${form.key}-${data.status}`} spec={form} onDone={onDone} />
            ))}
          </section>
          <section aria-labelledby="timeline">
            <h2 id="timeline">{t('case.timeline')}</h2>
            {audit.data ? <Timeline events={audit.data.items} /> : <p>{t('app.loading')}</p>}
          </section>
        </aside>
      </div>
    </article>
  );
}
