import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { formatDateTime } from '../app/format';

export interface CaseRow {
  id: string;
  title: string;
  status: string;
  detail: string;
  updatedAt: string;
}

/** The cases of one type this user may see (`GET /<type>?limit=&cursor=`), newest first as the API lists them. */
export function CaseList(props: { segment: string; titleKey: string; load(cursor?: string): Promise<{ items: CaseRow[]; nextCursor: string | null }> }) {
  const { t } = useTranslation();
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const page = useQuery({ queryKey: ['case-list', props.segment, cursor], queryFn: () => props.load(cursor), placeholderData: keepPreviousData });
  return (
    <section aria-labelledby="list-title">
      <h1 id="list-title">{t(props.titleKey)}</h1>
      {page.error ? <p role="alert">{page.error.message}</p> : null}
      {page.data && page.data.items.length === 0 ? <p className="muted">{t('list.none')}</p> : null}
      <ul className="tasks" data-testid="case-list">
        {(page.data?.items ?? []).map((c) => (
          <li key={c.id}>
            <div>
              <Link to={`/view/${props.segment}/${c.id}`}>{c.title}</Link>
              <span className="muted kind">{c.detail}</span>
            </div>
            <div>
              <span className={`pill ${c.status}`}>{t(`status.${c.status}`, { defaultValue: c.status })}</span>{' '}
              <time className="muted" dateTime={c.updatedAt}>
                {formatDateTime(c.updatedAt)}
              </time>
            </div>
          </li>
        ))}
      </ul>
      <div className="toolbar">
        <button type="button" onClick={() => setCursors([undefined])} disabled={cursors.length === 1}>
          {t('audit.first')}
        </button>
        <button type="button" onClick={() => page.data?.nextCursor && setCursors([...cursors, page.data.nextCursor])} disabled={!page.data?.nextCursor}>
          {t('audit.next')}
        </button>
      </div>
    </section>
  );
}
