import { useQueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { currentToken, setToken } from '../api/client';

interface Session {
  token: string | null;
  signIn(token: string): void;
  signOut(): void;
}

const SessionContext = createContext<Session | null>(null);

/** The bearer token the console acts with; the API decides what it may see and do. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const qc = useQueryClient();
  const [token, setState] = useState(currentToken());
  const signIn = useCallback(
    (next: string) => {
      setToken(next);
      qc.clear();
      setState(next);
    },
    [qc],
  );
  const signOut = useCallback(() => {
    setToken(null);
    qc.clear();
    setState(null);
  }, [qc]);
  const value = useMemo(() => ({ token, signIn, signOut }), [token, signIn, signOut]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}
