import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createBrowserRouter, Navigate, RouterProvider, useParams } from 'react-router';
import './i18n';
import './styles.css';
import { ApiError } from './api/client';
import { Layout } from './app/Layout';
import { SessionProvider } from './app/session';
import { caseModules } from './cases/registry';
import { Auditor } from './pages/Auditor';
import { Inbox } from './pages/Inbox';
import { SignIn } from './pages/SignIn';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 5_000,
      // 4xx answers are the API's verdict: do not ask again.
      retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
    },
  },
});

function CaseRoute({ module }: { module: (typeof caseModules)[number] }) {
  const { id = '' } = useParams();
  return <module.Page key={id} id={id} />;
}

// Every page lives under a first segment the API serves as the console (apps/api/src/web/web-console.ts).
const router = createBrowserRouter([
  { path: '/sign-in', element: <SignIn /> },
  {
    path: '/',
    element: <Layout />,
    children: [
      { index: true, element: <Navigate to="/inbox" replace /> },
      { path: 'inbox', element: <Inbox /> },
      { path: 'auditor', element: <Auditor /> },
      ...caseModules.flatMap((m) => [
        { path: `view/${m.segment}`, element: <m.List /> },
        { path: `view/${m.segment}/:id`, element: <CaseRoute module={m} /> },
        ...(m.New ? [{ path: `new/${m.segment}`, element: <m.New /> }] : []),
      ]),
      { path: '*', element: <Navigate to="/inbox" replace /> },
    ],
  },
]);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <SessionProvider>
        <RouterProvider router={router} />
      </SessionProvider>
    </QueryClientProvider>
  </StrictMode>,
);
