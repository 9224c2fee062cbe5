// Picks who gets a role: a user or a team from the lists when the principal may read them,
// else by id (environment administrators cannot list users; people find their id in Settings).
import { NumberInput, Radio, Group, Select } from '@mantine/core';
import type { Principal } from '@capstan/protocol';
import { useAllUsers } from '../users/useUserNames.ts';
import { useAllTeams } from './usePrincipalNames.ts';

export interface PrincipalDraft {
  type: Principal['type'];
  id: number | null;
}

/** The "Grant to" radio and the user or team field. */
export function PrincipalPicker({ value, onChange }: { value: PrincipalDraft; onChange: (v: PrincipalDraft) => void }) {
  const { users, available: usersListed } = useAllUsers();
  const { teams, available: teamsListed } = useAllTeams();
  const listed = value.type === 'user' ? usersListed : teamsListed;
  const data = value.type === 'user' ? users.map((u) => ({ value: String(u.id), label: u.username })) : teams.map((t) => ({ value: String(t.id), label: t.name }));
  const noun = value.type === 'user' ? 'User' : 'Team';
  return (
    <>
      <Radio.Group label="Grant to" value={value.type} onChange={(t) => onChange({ type: t === 'team' ? 'team' : 'user', id: null })}>
        <Group mt={4}>
          <Radio value="user" label="A user" />
          <Radio value="team" label="A team" />
        </Group>
      </Radio.Group>
      {listed ? (
        <Select
          key={value.type}
          label={noun}
          placeholder={`Pick a ${noun.toLowerCase()}`}
          data={data}
          value={value.id === null ? null : String(value.id)}
          onChange={(v) => onChange({ ...value, id: v === null ? null : Number(v) })}
          searchable
          required
          nothingFoundMessage={`No ${noun.toLowerCase()} matches`}
        />
      ) : (
        <NumberInput
          key={value.type}
          label={`${noun} ID`}
          description={value.type === 'user' ? 'Only administrators can list users: ask the person for the user ID shown in their Settings.' : 'Only administrators can list teams: ask one for the team ID.'}
          min={1}
          allowDecimal={false}
          value={value.id ?? ''}
          onChange={(v) => onChange({ ...value, id: typeof v === 'number' ? v : null })}
          required
        />
      )}
    </>
  );
}
