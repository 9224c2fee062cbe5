import { Button, Group, NumberInput, PasswordInput, SegmentedControl, SimpleGrid, Stack, Switch, TagsInput, Text, TextInput, Textarea } from '@mantine/core';
import { useState } from 'react';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { pollText, type AuthChoice, type GitFormState } from './gitForm.ts';

export interface GitSourceFormProps {
  initial: GitFormState;
  /** Editing an existing source: credentials may be kept as stored. */
  editing: boolean;
  submitting: boolean;
  error: unknown;
  onSubmit: (form: GitFormState) => void;
  onCancel?: () => void;
}

function Credentials({ form, set, editing }: { form: GitFormState; set: (patch: Partial<GitFormState>) => void; editing: boolean }) {
  const choices: { value: AuthChoice; label: string }[] = [...(editing ? [{ value: 'keep' as const, label: 'Keep stored' }] : []), { value: 'none', label: 'None' }, { value: 'token', label: 'Token' }, { value: 'ssh', label: 'SSH key' }];
  return (
    <Stack gap="xs">
      <Text size="sm" fw={500} id="git-credentials">
        Credentials
      </Text>
      <SegmentedControl aria-labelledby="git-credentials" data={choices} value={form.auth} onChange={(v) => set({ auth: choices.find((c) => c.value === v)?.value ?? 'none' })} />
      {form.auth === 'token' && (
        <SimpleGrid cols={{ base: 1, md: 2 }}>
          <TextInput label="User name" description="Sent with the token (GitHub: any; Gitea: your user name)" value={form.username} onChange={(e) => set({ username: e.currentTarget.value })} />
          <PasswordInput label="Token" description="Encrypted on the server and never shown again" value={form.token} onChange={(e) => set({ token: e.currentTarget.value })} required />
        </SimpleGrid>
      )}
      {form.auth === 'ssh' && <Textarea label="SSH private key" description="Unencrypted OpenSSH or PEM key; the host key is trusted on first use" value={form.privateKey} onChange={(e) => set({ privateKey: e.currentTarget.value })} autosize minRows={4} maxRows={10} ff="monospace" required />}
    </Stack>
  );
}

/** Where the stack's files come from in Git, how often to look, credentials and the webhook. */
export function GitSourceForm({ initial, editing, submitting, error, onSubmit, onCancel }: GitSourceFormProps) {
  const [form, setForm] = useState(initial);
  const set = (patch: Partial<GitFormState>): void => setForm((f) => ({ ...f, ...patch }));
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit(form);
      }}
    >
      <Stack gap="sm">
        <TextInput label="Repository URL" placeholder="https://git.example.com/team/app.git" description="https://, http://, ssh://, git:// or user@host:path; no credentials in the URL" value={form.url} onChange={(e) => set({ url: e.currentTarget.value })} required />
        <SimpleGrid cols={{ base: 1, md: 3 }}>
          <TextInput label="Ref" description="Branch, tag or commit" value={form.ref} onChange={(e) => set({ ref: e.currentTarget.value })} required />
          <TextInput label="Compose file path" description="Relative to the repository root" value={form.composePath} onChange={(e) => set({ composePath: e.currentTarget.value })} required />
          <NumberInput label="Poll interval (seconds)" description={pollText(form.pollIntervalSeconds)} min={0} max={86_400} allowDecimal={false} value={form.pollIntervalSeconds} onChange={(v) => set({ pollIntervalSeconds: typeof v === 'number' ? v : Number(v) || 0 })} />
        </SimpleGrid>
        <TagsInput label="Extra paths" description="Files the stack reads that its compose file does not name (env_file, configs and secrets are found by themselves); Enter adds one" value={form.extraPaths} onChange={(v) => set({ extraPaths: v })} />
        <Credentials form={form} set={set} editing={editing} />
        <Switch label="Webhook" description="Let the Git server announce pushes (signed with a secret shown once)" checked={form.webhook} onChange={(e) => set({ webhook: e.currentTarget.checked })} />
        <ProblemAlert error={error} title="The Git source was not saved" />
        <Group justify="flex-end">
          {onCancel && (
            <Button variant="default" onClick={onCancel} disabled={submitting}>
              Cancel
            </Button>
          )}
          <Button type="submit" loading={submitting}>
            {editing ? 'Save Git settings' : 'Connect to Git'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
