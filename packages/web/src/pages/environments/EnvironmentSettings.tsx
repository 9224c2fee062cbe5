import { Button, Group, Paper, Stack, TextInput, Title } from '@mantine/core';
import type { Environment } from '@capstan/protocol';
import { notifications } from '@mantine/notifications';
import { useState, type FormEvent } from 'react';
import { useApiMutation } from '../../api/query.ts';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { GroupTagFields } from './GroupTagFields.tsx';
import { ModeField } from './ModeField.tsx';

/** Edits the environment's name, group, tags, mode and poll interval (PATCH, only what changed). */
export function EnvironmentSettings({ env }: { env: Environment }) {
  const [name, setName] = useState(env.name);
  const [groupId, setGroupId] = useState(env.groupId);
  const [tagIds, setTagIds] = useState(env.tags.map((t) => t.id));
  const [mode, setMode] = useState(env.mode);
  const [poll, setPoll] = useState(env.pollIntervalSeconds);
  const save = useApiMutation('PATCH /api/environments/:id', {
    invalidate: [['GET /api/environments'], ['GET /api/environments/:id', { params: { id: env.id } }], ['GET /api/environments/:id/status']],
    onSuccess: () => notifications.show({ color: 'teal', title: 'Saved', message: `${name} updated.` }),
  });
  const sameTags = tagIds.length === env.tags.length && env.tags.every((t) => tagIds.includes(t.id));
  const body = {
    ...(name.trim() !== env.name ? { name } : {}),
    ...(groupId !== env.groupId ? { groupId } : {}),
    ...(!sameTags ? { tagIds } : {}),
    ...(mode !== env.mode ? { mode } : {}),
    ...(poll !== env.pollIntervalSeconds ? { pollIntervalSeconds: poll } : {}),
  };
  const changed = Object.keys(body).length > 0;
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    if (changed) save.mutate({ params: { id: env.id }, body });
  };
  return (
    <Paper withBorder p="md">
      <Title order={4} mb="sm">
        Settings
      </Title>
      <form onSubmit={submit}>
        <Stack>
          <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} required />
          <ModeField mode={mode} onMode={setMode} pollInterval={poll} onPollInterval={setPoll} />
          <GroupTagFields groupId={groupId} onGroupId={setGroupId} tagIds={tagIds} onTagIds={setTagIds} />
          <ProblemAlert error={save.error} title="Not saved" />
          <Group>
            <Button type="submit" disabled={!changed} loading={save.isPending}>
              Save settings
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}
