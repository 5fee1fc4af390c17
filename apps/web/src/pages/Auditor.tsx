import { keepPreviousData, useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, ApiError, call, fetchText } from '../api/client';
import { formatDateTime } from '../app/format';
import { casePath } from '../cases/registry';

interface Filters {
  caseType?: string;
  caseId?: string;
  actorId?: string;
  action?: string;
  from?: string;
  to?: string;
}

const FILTERS: (keyof Filters)[] = ['caseType', 'caseId', 'actorId', 'action', 'from', 'to'];

function compact(f: Filters): Filters {
  const out: Filters = {};
  for (const k of FILTERS) {
    const v = f[k]?.trim();
    if (!v) continue;
    out[k] = k === 'from' || k === 'to' ? (Number.isNaN(new Date(v).getTime()) ? v : new Date(v).toISOString()) : v;
  }
  return out;
}

function download(name: string, type: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Auditors: filter and page through the audit events, export them, verify the hash chain. */
export function Auditor() {
  const { t } = useTranslation();
  const [filters, setFilters] = useState<Filters>({});
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const { register, handleSubmit } = useForm<Filters>();
  const events = useQuery({
    queryKey: ['audit-events', filters, cursor],
    queryFn: () => call(api.GET('/audit/events', { params: { query: { ...filters, cursor, limit: 25 } } })),
    placeholderData: keepPreviousData,
  });
  const [exported, setExported] = useState<string | null>(null);
  const exporter = useMutation({
    mutationFn: async (format: 'jsonl' | 'csv') => {
      const qs = new URLSearchParams({ ...filters, format });
      const text = await fetchText(`/audit/export?${qs.toString()}`);
      download(`steward-audit.${format}`, format === 'csv' ? 'text/csv' : 'application/x-ndjson', text);
      const lines = text.split('\n').filter(Boolean).length;
      return { format, count: format === 'csv' ? Math.max(0, lines - 1) : lines };
    },
    onSuccess: (r) => setExported(t('audit.exported', { count: r.count, format: r.format.toUpperCase() })),
  });
  const verify = useMutation({ mutationFn: () => call(api.GET('/audit/verify')) });

  if (events.error instanceof ApiError && events.error.status === 403) return <p role="alert">{t('audit.forbidden')}</p>;
  const v = verify.data;

  return (
    <div className="auditor">
      <h1>{t('audit.title')}</h1>
      <form
        className="filters"
        aria-label={t('audit.filters')}
        onSubmit={(e) =>
          void handleSubmit((f) => {
            setFilters(compact(f));
            setCursors([undefined]);
          })(e)
        }
      >
        {FILTERS.map((k) => (
          <div className="field" key={k}>
            <label htmlFor={`f-${k}`}>{t(`audit.${k}`)}</label>
            <input id={`f-${k}`} type={k === 'from' || k === 'to' ? 'datetime-local' : 'text'} {...register(k)} />
          </div>
        ))}
        <button type="submit">{t('audit.apply')}</button>
      </form>
      {events.error ? (
        <p role="alert" className="form-error">
          {events.error.message}
        </p>
      ) : null}

      <div className="toolbar" role="group" aria-label={t('audit.export')}>
        <button type="button" onClick={() => exporter.mutate('jsonl')} disabled={exporter.isPending}>
          {t('audit.exportJsonl')}
        </button>
        <button type="button" onClick={() => exporter.mutate('csv')} disabled={exporter.isPending}>
          {t('audit.exportCsv')}
        </button>
        <button type="button" onClick={() => verify.mutate()} disabled={verify.isPending}>
          {t('audit.verify')}
        </button>
      </div>
      <div aria-live="polite">
        {exported ? (
          <p role="status" data-testid="export-result">
            {exported}
          </p>
        ) : null}
        {exporter.error ? <p role="alert">{exporter.error.message}</p> : null}
        {v ? (
          <p role="status" data-testid="verify-result" data-ok={String(v.ok)} className={v.ok ? 'form-ok' : 'form-error'}>
            {v.ok
              ? t('audit.verifyOk', { checked: v.checked, headSeq: v.headSeq })
              : t('audit.verifyBad', { seq: v.firstBadSeq, reason: v.reason })}
          </p>
        ) : null}
        {verify.error ? <p role="alert">{verify.error.message}</p> : null}
      </div>

      <h2>{t('audit.events')}</h2>
      <div className="table-wrap">
        <table data-testid="audit-table">
          <thead>
            <tr>
              <th scope="col">{t('audit.seq')}</th>
              <th scope="col">{t('audit.at')}</th>
              <th scope="col">{t('audit.case')}</th>
              <th scope="col">{t('audit.actorId')}</th>
              <th scope="col">{t('audit.action')}</th>
              <th scope="col">{t('audit.change')}</th>
            </tr>
          </thead>
          <tbody>
            {(events.data?.items ?? []).map((e) => {
              const to = casePath(e.caseType, e.caseId);
              return (
                <tr key={e.id}>
                  <td>{e.seq}</td>
                  <td>
                    <time dateTime={e.at}>{formatDateTime(e.at)}</time>
                  </td>
                  <td>
                    {e.caseType} {to ? <Link to={to}>{e.caseId.slice(0, 8)}</Link> : e.caseId.slice(0, 8)}
                  </td>
                  <td>{e.actorId}</td>
                  <td>{e.action}</td>
                  <td>
                    {e.fromStatus ?? '∅'} → {e.toStatus ?? '∅'}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {events.data && events.data.items.length === 0 ? <p className="muted">{t('audit.none')}</p> : null}
      <div className="toolbar">
        <button type="button" onClick={() => setCursors([undefined])} disabled={cursors.length === 1}>
          {t('audit.first')}
        </button>
        <button
          type="button"
          onClick={() => events.data?.nextCursor && setCursors([...cursors, events.data.nextCursor])}
          disabled={!events.data?.nextCursor}
        >
          {t('audit.next')}
        </button>
      </div>
    </div>
  );
}
