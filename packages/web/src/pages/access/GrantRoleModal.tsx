// Grant a role to a user or team on an environment or group. Environment administrators may grant
// on the environments they administer; groups need an administrator (roles.assign).
import { Button, Group, Modal, Radio, Select, Stack, Text } from '@mantine/core';
import type { RoleName } from '@capstan/protocol';
import { useState, type FormEvent } from 'react';
import { useApi, useApiMutation } from '../../api/query.ts';
import { useSession } from '../../auth/session.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { notifyDone } from '../../components/notify.ts';
import type { ScopeType } from './assignments.ts';
import { PrincipalPicker, type PrincipalDraft } from './PrincipalPicker.tsx';
import { useScopes } from './useScopes.ts';

/** The "Grant role" dialog; `initialScope` pre-selects the scope the list is filtered to. */
export function GrantRoleModal({ opened, initialScope, onClose }: { opened: boolean; initialScope: { type: ScopeType; id: number } | null; onClose: () => void }) {
  return (
    <Modal opened={opened} onClose={onClose} title="Grant a role" centered size="md">
      {opened && <GrantForm initialScope={initialScope} onClose={onClose} />}
    </Modal>
  );
}

function GrantForm({ initialScope, onClose }: { initialScope: { type: ScopeType; id: number } | null; onClose: () => void }) {
  const session = useSession();
  const scopes = useScopes();
  const roles = useApi('GET /api/roles', undefined, { staleTime: Infinity });
  const groupsAllowed = session.can('roles.assign');
  const [principal, setPrincipal] = useState<PrincipalDraft>({ type: 'user', id: null });
  const [role, setRole] = useState<RoleName | null>(null);
  const [scopeType, setScopeType] = useState<ScopeType>(initialScope?.type === 'group' && groupsAllowed ? 'group' : 'environment');
  const [scopeId, setScopeId] = useState<number | null>(initialScope && (initialScope.type === 'environment' || groupsAllowed) ? initialScope.id : null);
  const grant = useApiMutation('POST /api/roles/assignments', {
    invalidate: [['GET /api/roles/assignments'], ['GET /api/auth/me']],
    onSuccess: () => {
      notifyDone('Role granted');
      onClose();
    },
  });
  const envOptions = scopes.environments.filter((e) => session.can('environment.access', e)).map((e) => ({ value: String(e.id), label: e.name }));
  const groupOptions = scopes.groups.map((g) => ({ value: String(g.id), label: g.name }));
  const roleItems = roles.data?.items ?? [];
  const chosenRole = roleItems.find((r) => r.name === role);
  const ready = principal.id !== null && role !== null && scopeId !== null;
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    if (principal.id === null || role === null || scopeId === null) return;
    grant.mutate({ body: { principal: { type: principal.type, id: principal.id }, role, scope: { type: scopeType, id: scopeId } } });
  };
  return (
    <form onSubmit={submit}>
      <Stack>
        <PrincipalPicker value={principal} onChange={setPrincipal} />
        <Select
          label="Role"
          placeholder="Pick a role"
          data={roleItems.map((r) => ({ value: r.name, label: r.displayName }))}
          value={role}
          onChange={(v) => setRole(roleItems.find((r) => r.name === v)?.name ?? null)}
          description={chosenRole?.description}
          required
        />
        {groupsAllowed && (
          <Radio.Group
            label="On"
            value={scopeType}
            onChange={(t) => {
              setScopeType(t === 'group' ? 'group' : 'environment');
              setScopeId(null);
            }}
          >
            <Group mt={4}>
              <Radio value="environment" label="An environment" />
              <Radio value="group" label="A group of environments" />
            </Group>
          </Radio.Group>
        )}
        <Select
          key={scopeType}
          label={scopeType === 'group' ? 'Group' : 'Environment'}
          placeholder={scopeType === 'group' ? 'Pick a group' : 'Pick an environment'}
          data={scopeType === 'group' ? groupOptions : envOptions}
          value={scopeId === null ? null : String(scopeId)}
          onChange={(v) => setScopeId(v === null ? null : Number(v))}
          searchable
          required
          nothingFoundMessage="Nothing matches"
        />
        <Text size="xs" c="dimmed">
          If {principal.type === 'team' ? 'the team' : 'the user'} already holds a role there, this one replaces it.
        </Text>
        <ProblemAlert error={grant.error ?? roles.error ?? scopes.error} title="The role was not granted" />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={grant.isPending} disabled={!ready}>
            Grant role
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
