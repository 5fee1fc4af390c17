import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useMarkRead, useNotifications, useTasks, useUnreadCount, type Task } from '../api/queries';
import { formatDateTime } from '../app/format';
import { casePath } from '../cases/registry';

/** Open tasks by due time (no due time last), overdue marked. */
export function sortTasks(tasks: Task[]): Task[] {
  const due = (t: Task) => (t.dueAt ? new Date(t.dueAt).getTime() : Number.POSITIVE_INFINITY);
  return [...tasks].sort((a, b) => due(a) - due(b) || a.createdAt.localeCompare(b.createdAt));
}

export function Inbox() {
  const { t } = useTranslation();
  const tasks = useTasks();
  const [unreadOnly, setUnreadOnly] = useState(false);
  const notifications = useNotifications(unreadOnly);
  const unread = useUnreadCount();
  const markRead = useMarkRead();
  const now = Date.now();

  return (
    <div className="inbox">
      <section aria-labelledby="tasks-title">
        <h1 id="tasks-title">{t('inbox.tasks')}</h1>
        {tasks.isLoading ? <p>{t('app.loading')}</p> : null}
        {tasks.data && tasks.data.length === 0 ? <p className="muted">{t('inbox.noTasks')}</p> : null}
        <ul className="tasks" data-testid="tasks">
          {sortTasks(tasks.data ?? []).map((task) => {
            const overdue = !!task.dueAt && new Date(task.dueAt).getTime() < now;
            const to = casePath(task.caseType, task.caseId);
            return (
              <li key={task.id} className={overdue ? 'overdue' : ''} data-kind={task.kind}>
                <div>
                  {to ? <Link to={to}>{task.title}</Link> : <span>{task.title}</span>}
                  <span className="muted kind">{task.kind}</span>
                </div>
                <div className="due">
                  {overdue ? <strong className="overdue-mark">{t('inbox.overdue')}</strong> : null}{' '}
                  {task.dueAt ? (
                    <>
                      {t('inbox.due')} <time dateTime={task.dueAt}>{formatDateTime(task.dueAt)}</time>
                    </>
                  ) : (
                    <span className="muted">{t('inbox.noDue')}</span>
                  )}
                </div>
              </li>
            );
          })}
        </ul>
      </section>
      <section aria-labelledby="notes-title">
        <div className="section-head">
          <h2 id="notes-title">
            {t('inbox.notifications')}{' '}
            <span className="muted" data-testid="unread-count">
              {t('inbox.unreadCount', { count: unread.data ?? 0 })}
            </span>
          </h2>
          <label className="inline">
            <input type="checkbox" checked={unreadOnly} onChange={(e) => setUnreadOnly(e.target.checked)} /> {t('inbox.unreadOnly')}
          </label>
        </div>
        {notifications.data && notifications.data.items.length === 0 ? <p className="muted">{t('inbox.noNotifications')}</p> : null}
        <ul className="notifications" data-testid="notifications">
          {(notifications.data?.items ?? []).map((n) => {
            const to = casePath(n.caseType, n.caseId);
            return (
              <li key={n.id} className={n.readAt ? 'read' : 'unread'}>
                <div>
                  {to ? <Link to={to}>{n.message}</Link> : n.message}
                  <div className="muted">
                    <time dateTime={n.createdAt}>{formatDateTime(n.createdAt)}</time> · {n.kind}
                  </div>
                </div>
                {n.readAt ? (
                  <span className="muted">{t('inbox.read')}</span>
                ) : (
                  <button type="button" className="small" onClick={() => markRead.mutate(n.id)} aria-label={`${t('inbox.markRead')}: ${n.message}`}>
                    {t('inbox.markRead')}
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      </section>
    </div>
  );
}
