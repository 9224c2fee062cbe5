// Decides what a visitor sees first: setup on a fresh instance, the login page without a session,
// otherwise the signed-in app with the session in context.
import { Navigate, useLocation } from 'react-router';
import { useApi } from '../api/query.ts';
import { SIGNED_OUT_CODES } from '../api/client.ts';
import { SessionProvider, useSignedOutRedirect } from '../auth/session.tsx';
import { Loading } from '../components/Loading.tsx';
import { ProblemAlert } from '../components/ProblemAlert.tsx';
import { Shell } from './Shell.tsx';

/** The signed-in part of the app, or a redirect to setup or login. */
export function Gate() {
  useSignedOutRedirect();
  const location = useLocation();
  const health = useApi('GET /api/health', undefined, { staleTime: 60_000 });
  const me = useApi('GET /api/auth/me', undefined, { enabled: health.data?.setupRequired === false, staleTime: 30_000, retry: false });
  if (health.data?.setupRequired) return <Navigate to="/setup" replace />;
  if (me.error && SIGNED_OUT_CODES.has(me.error.code)) {
    const next = encodeURIComponent(location.pathname + location.search);
    return <Navigate to={`/login?next=${next}`} replace />;
  }
  if (health.error || me.error) return <ProblemAlert error={health.error ?? me.error} title="Capstan is not reachable" />;
  if (!me.data) return <Loading label="Signing in" />;
  return (
    <SessionProvider me={me.data}>
      <Shell />
    </SessionProvider>
  );
}
