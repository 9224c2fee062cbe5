// The signed-in principal for the whole app: loads GET /api/auth/me, answers "may I?" questions,
// and turns an expired or revoked session (any 401 from any call) into a calm return to the
// login page that remembers where the person was.
import type { MeResponse, Permission } from '@capstan/protocol';
import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { createContext, useContext, useEffect, useMemo, type ReactNode } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { onSignedOut } from '../api/client.ts';
import { can, whyNot, type EnvironmentScope } from './permissions.ts';

export interface Session {
  me: MeResponse;
  // Arrow properties, not methods: views destructure them (`const { can } = useSession()`).
  can: (permission: Permission, env?: EnvironmentScope) => boolean;
  whyNot: (permission: Permission, env?: EnvironmentScope) => string | null;
}

const SessionContext = createContext<Session | null>(null);

/** The current session; only inside the signed-in part of the app. */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}

/** Provides `me` to the signed-in routes. */
export function SessionProvider({ me, children }: { me: MeResponse; children: ReactNode }) {
  const value = useMemo<Session>(() => ({ me, can: (p, env) => can(me, p, env), whyNot: (p, env) => whyNot(me, p, env) }), [me]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

/** Sends the person to the login page when any call reports the session gone. */
export function useSignedOutRedirect(): void {
  const navigate = useNavigate();
  const location = useLocation();
  const client = useQueryClient();
  useEffect(
    () =>
      onSignedOut((problem) => {
        if (location.pathname === '/login' || location.pathname === '/setup') return;
        client.clear();
        notifications.show({ id: 'signed-out', color: 'yellow', title: 'Signed out', message: problem.detail });
        const back = encodeURIComponent(location.pathname + location.search);
        void navigate(`/login?next=${back}&reason=${problem.code}`, { replace: true });
      }),
    [navigate, location, client],
  );
}
