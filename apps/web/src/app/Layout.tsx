import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, NavLink, Navigate, Outlet } from 'react-router';
import { ApiError } from '../api/client';
import { useMe, useUnreadCount } from '../api/queries';
import { LANGUAGES } from '../i18n';
import { caseModules } from '../cases/registry';
import { hasRole } from './format';
import { useSession } from './session';

export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  return (
    <label className="lang">
      <span className="sr-only">{t('app.language')}</span>
      <select aria-label={t('app.language')} value={i18n.language} onChange={(e) => void i18n.changeLanguage(e.target.value)}>
        {LANGUAGES.map((l) => (
          <option key={l.code} value={l.code} lang={l.code}>
            {l.label}
          </option>
        ))}
      </select>
    </label>
  );
}

/** Header (who you are, language, unread count), navigation, and the page. Without a token: sign in. */
export function Layout() {
  const { t } = useTranslation();
  const { token, signOut } = useSession();
  const me = useMe();
  const unread = useUnreadCount();
  const refused = me.error instanceof ApiError && me.error.status === 401;
  useEffect(() => {
    if (refused) signOut();
  }, [refused, signOut]);
  if (!token || refused) return <Navigate to="/sign-in" replace />;
  const user = me.data;
  return (
    <>
      <a className="skip" href="#main">
        {t('app.skip')}
      </a>
      <header className="top">
        <Link to="/inbox" className="brand">
          {t('app.name')}
        </Link>
        <nav aria-label={t('nav.main')}>
          <NavLink to="/inbox">
            {t('nav.inbox')}
            {unread.data ? (
              <span className="badge" aria-label={t('inbox.unreadCount', { count: unread.data })} data-testid="unread-badge">
                {unread.data}
              </span>
            ) : null}
          </NavLink>
          {caseModules.map((m) => (
            <NavLink key={`list-${m.segment}`} to={`/view/${m.segment}`} end>
              {t(m.listNavKey)}
            </NavLink>
          ))}
          {user &&
            caseModules
              .filter((m) => m.New && m.canStart(user))
              .map((m) => (
                <NavLink key={m.segment} to={`/new/${m.segment}`}>
                  {t(m.newNavKey)}
                </NavLink>
              ))}
          {hasRole(user, 'auditor', 'admin') && <NavLink to="/auditor">{t('nav.auditor')}</NavLink>}
        </nav>
        <div className="who">
          {user ? (
            <span data-testid="whoami">
              <strong>{user.name}</strong>{' '}
              <span className="roles" aria-label={t('app.roles')}>
                {user.roles.join(', ')}
              </span>
            </span>
          ) : (
            <span>{t('app.loading')}</span>
          )}
          <LanguageSwitch />
          <button type="button" className="link" onClick={signOut}>
            {t('app.signOut')}
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </>
  );
}
