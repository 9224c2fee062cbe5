import { Button, Group, Stack, TextInput } from '@mantine/core';
import { POLL_INTERVAL_SECONDS, type Environment, type JoinToken } from '@capstan/protocol';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { call, type ApiError } from '../../api/client.ts';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { GroupTagFields } from './GroupTagFields.tsx';
import { ModeField } from './ModeField.tsx';

/** Step 1 of the wizard: name, mode, group and tags; creates the environment and its first join command. */
export function CreateEnvironmentForm({ onCreated }: { onCreated: (env: Environment, token: JoinToken | null, tokenError: unknown) => void }) {
  const client = useQueryClient();
  const [name, setName] = useState('');
  const [mode, setMode] = useState<'standard' | 'async'>('standard');
  const [pollInterval, setPollInterval] = useState<number>(POLL_INTERVAL_SECONDS.default);
  const [groupId, setGroupId] = useState<number | null>(null);
  const [tagIds, setTagIds] = useState<number[]>([]);
  const create = useMutation<{ env: Environment; token: JoinToken | null; tokenError: unknown }, ApiError>({
    mutationFn: async () => {
      const env = await call('POST /api/environments', { body: { name, mode, groupId, tagIds, ...(mode === 'async' ? { pollIntervalSeconds: pollInterval } : {}) } });
      // The environment exists now; a refused token is shown on the next step, with a retry.
      try {
        return { env, token: await call('POST /api/environments/:id/join-tokens', { params: { id: env.id }, body: {} }), tokenError: null };
      } catch (tokenError) {
        return { env, token: null, tokenError };
      }
    },
    onSuccess: async ({ env, token, tokenError }) => {
      onCreated(env, token, tokenError);
      await client.invalidateQueries({ queryKey: ['GET /api/environments'] });
    },
  });
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <form onSubmit={submit}>
      <Stack maw={720}>
        <TextInput label="Name" description="How the host appears in lists, e.g. its hostname or role" value={name} onChange={(e) => setName(e.currentTarget.value)} required data-autofocus />
        <ModeField mode={mode} onMode={setMode} pollInterval={pollInterval} onPollInterval={setPollInterval} />
        <GroupTagFields groupId={groupId} onGroupId={setGroupId} tagIds={tagIds} onTagIds={setTagIds} />
        <ProblemAlert error={create.error} title="The environment was not created" />
        <Group>
          <Button type="submit" loading={create.isPending} disabled={name.trim() === ''}>
            Create environment
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
