import { useTranslation } from 'react-i18next';
import type { Schemas } from '../api/client';
import { formatDateTime } from '../app/format';

/** The levels every approval shows (change requests, complaints, PIPs, approval requests; PIPs carry no delegations or timeout). */
type Level = Omit<Schemas['ApprovalLevelDto'], 'delegations' | 'timeout'>;

export function ApprovalLevels({ levels, optionsKey, testId = 'approval-levels' }: { levels: Level[]; optionsKey: string; testId?: string }) {
  const { t } = useTranslation();
  return (
    <ol className="levels" data-testid={testId}>
      {levels.map((l, i) => (
        <li key={`${l.name}-${i}`} className={`level ${l.status}`}>
          <div className="level-head">
            <strong>
              {t('case.level')} {i + 1}: {l.name}
            </strong>
            <span className={`pill ${l.status}`}>{t(`status.${l.status}`, { defaultValue: l.status })}</span>
            <span className="muted">
              {t('case.rule')}: {l.rule} ({l.required})
            </span>
          </div>
          <div>
            {t('case.approvers')}: {l.approvers.join(', ')}
          </div>
          {l.escalations.map((e) => (
            <div key={`${e.from}-${e.to}`} className="muted">
              {t('case.escalated', { from: e.from, to: e.to })}
            </div>
          ))}
          {l.decisions.length === 0 ? (
            <div className="muted">{t('case.noDecisions')}</div>
          ) : (
            <ul className="decisions">
              {l.decisions.map((d) => (
                <li key={`${d.approverId}-${d.at}`}>
                  <strong>{d.approverId}</strong>: {t(`${optionsKey}.${d.decision}`, { defaultValue: d.decision })}
                  {d.onBehalfOf ? ` (${d.onBehalfOf})` : ''} — {formatDateTime(d.at)}
                  {d.comment ? <q>{d.comment}</q> : null}
                </li>
              ))}
            </ul>
          )}
        </li>
      ))}
    </ol>
  );
}
