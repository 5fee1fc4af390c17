import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDateTime, formatDuration } from '../app/format';

function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [active]);
  return now;
}

/**
 * A running deadline, ticking every second from the `targetAt` the API computed; `remainingMs` (read at `readAt`)
 * is what is left of a paused clock. Screen readers get the state, not every tick.
 */
export function Countdown(props: { label: string; status: string; targetAt: string | null; remainingMs?: number; testId?: string }) {
  const { t } = useTranslation();
  const running = props.status === 'running' && !!props.targetAt;
  const now = useNow(running);
  let text: string;
  let tone = 'ok';
  if (running) {
    const left = new Date(props.targetAt!).getTime() - now;
    text = left >= 0 ? t('case.remaining', { time: formatDuration(left) }) : t('case.overdueBy', { time: formatDuration(left) });
    tone = left < 0 ? 'bad' : 'ok';
  } else if (props.status === 'paused') {
    text = t('case.pausedLeft', { time: formatDuration(props.remainingMs ?? 0) });
    tone = 'muted';
  } else {
    text = t(`status.${props.status}`, { defaultValue: props.status });
    tone = ['breached', 'overdue', 'missed'].includes(props.status) ? 'bad' : 'done';
  }
  return (
    <div className={`countdown ${tone}`} data-testid={props.testId} data-status={props.status}>
      <span className="countdown-label">{props.label}</span>
      <span className="countdown-time" role="timer" aria-live="off">
        {text}
      </span>
      <span className="countdown-target">{props.targetAt ? formatDateTime(props.targetAt) : ''}</span>
    </div>
  );
}
