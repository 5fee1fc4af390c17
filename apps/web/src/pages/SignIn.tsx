import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate } from 'react-router';
import { api, ApiError, call } from '../api/client';
import { LanguageSwitch } from '../app/Layout';
import { useSession } from '../app/session';

/**
 * Development: pick a demo user and the API mints a token (`POST /dev/token`, present only with the dev secret).
 * Anywhere: paste a bearer token; it is checked with `GET /me`.
 */
export function SignIn() {
  const { t } = useTranslation();
  const { token, signIn } = useSession();
  const users = useQuery({ queryKey: ['dev-users'], queryFn: () => call(api.GET('/dev/users')), retry: false });
  const [userId, setUserId] = useState('');
  const [pasted, setPasted] = useState('');
  const devSignIn = useMutation({
    mutationFn: (id: string) => call(api.POST('/dev/token', { body: { userId: id } })),
    onSuccess: (r) => signIn(r.token),
  });
  const tokenSignIn = useMutation({
    mutationFn: async (tok: string) => {
      const res = await fetch('/me', { headers: { Authorization: `Bearer ${tok}` } });
      if (!res.ok) throw new ApiError(res.status, {});
      return tok;
    },
    onSuccess: (tok) => signIn(tok),
  });
  if (token) return <Navigate to="/inbox" replace />;
  const selected = userId || users.data?.[0]?.id || '';

  return (
    <main id="main" className="sign-in">
      <div className="sign-in-head">
        <h1>
          {t('app.name')} — {t('signIn.title')}
        </h1>
        <LanguageSwitch />
      </div>
      {users.data ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            devSignIn.mutate(selected);
          }}
          className="card"
          aria-labelledby="dev-title"
        >
          <h2 id="dev-title">{t('signIn.demoUser')}</h2>
          <p className="muted">{t('signIn.devNote')}</p>
          <label htmlFor="demo-user">{t('signIn.demoUser')}</label>
          <select id="demo-user" value={selected} onChange={(e) => setUserId(e.target.value)}>
            {users.data.map((u) => (
              <option key={u.id} value={u.id}>
                {u.id} — {u.name} ({u.roles.join(', ')})
              </option>
            ))}
          </select>
          <button type="submit" disabled={devSignIn.isPending}>
            {t('signIn.pick')}
          </button>
          {devSignIn.error ? <p role="alert">{devSignIn.error.message}</p> : null}
        </form>
      ) : null}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          tokenSignIn.mutate(pasted.trim());
        }}
        className="card"
        aria-labelledby="token-title"
      >
        <h2 id="token-title">{t('signIn.token')}</h2>
        <label htmlFor="token">{t('signIn.token')}</label>
        <textarea id="token" rows={3} value={pasted} onChange={(e) => setPasted(e.target.value)} aria-describedby="token-help" />
        <small id="token-help" className="muted">
          {t('signIn.tokenHelp')}
        </small>
        <button type="submit" disabled={!pasted.trim() || tokenSignIn.isPending}>
          {t('signIn.useToken')}
        </button>
        {tokenSignIn.error ? <p role="alert">{t('signIn.bad')}</p> : null}
      </form>
    </main>
  );
}
