import { useTranslation } from 'react-i18next';
import type { AuditEvent } from '../api/queries';
import { formatDateTime } from '../app/format';

/** The case's audit trail, oldest first: who did what, when, and the status it moved. */
export function Timeline({ events }: { events: AuditEvent[] }) {
  const { t } = useTranslation();
  return (
    <ol className="timeline" data-testid="timeline">
      {events.map((e) => (
        <li key={e.id}>
          <time dateTime={e.at}>{formatDateTime(e.at)}</time>
          <span className="action">{t(`actions.${e.action}`, { defaultValue: e.action.replace(/_/g, ' ') })}</span>
          <span className="actor">
            {t('case.by')} {e.actorId === 'system' ? t('case.system') : e.actorId}
          </span>
          {e.fromStatus !== e.toStatus && e.toStatus ? (
            <span className="move">
              {e.fromStatus ? t(`status.${e.fromStatus}`, { defaultValue: e.fromStatus }) : '∅'} → {t(`status.${e.toStatus}`, { defaultValue: e.toStatus })}
            </span>
          ) : null}
        </li>
      ))}
    </ol>
  );
}
