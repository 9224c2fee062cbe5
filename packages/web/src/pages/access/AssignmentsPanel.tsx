// Role assignments. Administrators see all of them (optionally filtered to one scope); others
// pick one of the environments whose members they may see (environment.members), as the API requires.
import { Button, Group, Select, Stack, Text } from '@mantine/core';
import { ROLES, type RoleAssignment } from '@capstan/protocol';
import { IconPlus } from '@tabler/icons-react';
import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { useApi, useApiMutation } from '../../api/query.ts';
import { useSession } from '../../auth/session.tsx';
import { Loading } from '../../components/Loading.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { ConfirmModal } from '../../components/ConfirmModal.tsx';
import { NoAccess } from '../../components/NoAccess.tsx';
import { notifyDone } from '../../components/notify.ts';
import { AssignmentTable } from './AssignmentTable.tsx';
import { assignmentQuery, parseScopeKey, scopeKey } from './assignments.ts';
import { GrantRoleModal } from './GrantRoleModal.tsx';
import { usePrincipalName } from './usePrincipalNames.ts';
import { useScopes } from './useScopes.ts';

/** The "Assignments" tab. */
export function AssignmentsPanel() {
  const session = useSession();
  const { me } = session;
  const admin = me.user.isAdmin;
  const scopes = useScopes();
  const principalName = usePrincipalName();
  const [params, setParams] = useSearchParams();
  const visible = scopes.environments.filter((e) => session.can('environment.members', e));
  const asked = parseScopeKey(params.get('scope'));
  // Non-administrators must name an environment they may see the members of: the first by default.
  const firstEnv = visible[0];
  const scope = admin ? asked : asked?.type === 'environment' && visible.some((e) => e.id === asked.id) ? asked : firstEnv ? { type: 'environment' as const, id: firstEnv.id } : null;
  const list = useApi('GET /api/roles/assignments', { query: assignmentQuery(scope) }, { enabled: admin || scope !== null });
  const [granting, setGranting] = useState(false);
  const [revoking, setRevoking] = useState<RoleAssignment | null>(null);
  const revoke = useApiMutation('DELETE /api/roles/assignments/:id', {
    invalidate: [['GET /api/roles/assignments'], ['GET /api/auth/me']],
    onSuccess: () => {
      notifyDone('Role revoked');
      setRevoking(null);
    },
  });
  const setScope = (key: string | null): void =>
    setParams((p) => {
      const next = new URLSearchParams(p);
      if (key) next.set('scope', key);
      else next.delete('scope');
      return next;
    });
  const envById = new Map(scopes.environments.map((e) => [e.id, e]));
  const canRevoke = (a: RoleAssignment): boolean => {
    if (a.scope.type === 'group') return session.can('roles.assign');
    const env = envById.get(a.scope.id);
    return env ? session.can('environment.access', env) : session.can('roles.assign');
  };
  const scopeName = (s: RoleAssignment['scope']): string => (s.type === 'group' ? scopes.groupName(s.id) : scopes.envName(s.id));
  const mayGrant = session.can('roles.assign') || scopes.environments.some((e) => session.can('environment.access', e));
  if (scopes.loading) return <Loading label="Loading environments" />;
  if (!admin && visible.length === 0) {
    return <NoAccess>You administer no environment, so there are no role assignments for you to see. Your own roles are listed in Settings.</NoAccess>;
  }
  const envItems = (admin ? scopes.environments : visible).map((e) => ({ value: scopeKey('environment', e.id), label: e.name }));
  const data = admin ? [{ group: 'Environments', items: envItems }, { group: 'Groups', items: scopes.groups.map((g) => ({ value: scopeKey('group', g.id), label: g.name })) }] : envItems;
  const revokingName = revoking ? `${ROLES[revoking.role].displayName} of ${principalName(revoking.principal)} on ${scopeName(revoking.scope)}` : '';
  return (
    <Stack>
      <Group justify="space-between" align="flex-end" wrap="wrap">
        <Select
          label={admin ? 'Scope' : 'Environment'}
          placeholder={admin ? 'All environments and groups' : undefined}
          data={data}
          value={scope ? scopeKey(scope.type, scope.id) : null}
          onChange={setScope}
          clearable={admin}
          allowDeselect={admin}
          searchable
          w={320}
        />
        {mayGrant && (
          <Button leftSection={<IconPlus size={16} />} onClick={() => setGranting(true)}>
            Grant role
          </Button>
        )}
      </Group>
      <ProblemAlert error={list.error ?? scopes.error} title="Assignments could not be loaded" />
      {list.isPending && <Loading label="Loading assignments" />}
      {list.data && list.data.items.length === 0 && <Text c="dimmed">No role is granted here yet.</Text>}
      {list.data && list.data.items.length > 0 && (
        <AssignmentTable items={list.data.items} principalName={principalName} scopeName={scopeName} canRevoke={canRevoke} onRevoke={setRevoking} />
      )}
      <GrantRoleModal opened={granting} initialScope={scope} onClose={() => setGranting(false)} />
      <ConfirmModal
        opened={revoking !== null}
        title="Revoke this role?"
        confirmLabel="Revoke"
        loading={revoke.isPending}
        error={revoke.error}
        onClose={() => {
          revoke.reset();
          setRevoking(null);
        }}
        onConfirm={() => revoking && revoke.mutate({ params: { id: revoking.id } })}
      >
        {revokingName} will be removed at once. Access held through other roles or teams stays.
      </ConfirmModal>
    </Stack>
  );
}
