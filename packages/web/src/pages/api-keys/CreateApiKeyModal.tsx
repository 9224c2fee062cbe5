// New API key for the signed-in person: name, read-only scope, expiry. The secret is in the answer
// only, so it is shown once here, with a warning, and the dialog closes only on purpose.
import { Alert, Button, Checkbox, Group, Modal, Select, Stack, Text, TextInput } from '@mantine/core';
import type { CreatedApiKey } from '@capstan/protocol';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { useApiMutation } from '../../api/query.ts';
import { CopyField } from '../../components/CopyField.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { formatTime } from '../../components/time.ts';
import { EXPIRY_PRESETS, expiryIso, type ExpiryPreset } from './expiry.ts';

/** The "New API key" dialog. */
export function CreateApiKeyModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const close = (): void => {
    setCreated(null);
    onClose();
  };
  return (
    <Modal
      opened={opened}
      onClose={close}
      title={created ? 'Copy your new API key' : 'New API key'}
      centered
      size="lg"
      // Once the secret is on screen, only the explicit button closes the dialog.
      closeOnClickOutside={created === null}
      closeOnEscape={created === null}
      withCloseButton={created === null}
    >
      {opened && (created ? <ShowSecret created={created} onDone={close} /> : <CreateForm onCreated={setCreated} onClose={close} />)}
    </Modal>
  );
}

function ShowSecret({ created, onDone }: { created: CreatedApiKey; onDone: () => void }) {
  return (
    <Stack>
      <Alert color="yellow" variant="light" icon={<IconAlertTriangle size={18} />} title="Shown only once">
        Copy the key now and store it somewhere safe. Capstan keeps only a hash of it: it cannot show it again. If you lose it, delete the key and create a new one.
      </Alert>
      <CopyField value={created.key} label="API key" />
      <Text size="sm" c="dimmed">
        Send it in the <code>X-API-Key</code> header. {created.readOnly ? 'It is read-only: it cannot change anything.' : 'It can do everything you can.'}{' '}
        {created.expiresAt ? `It expires ${formatTime(created.expiresAt)}.` : 'It does not expire.'}
      </Text>
      <Group justify="flex-end">
        <Button onClick={onDone}>I have copied the key</Button>
      </Group>
    </Stack>
  );
}

function CreateForm({ onCreated, onClose }: { onCreated: (k: CreatedApiKey) => void; onClose: () => void }) {
  const [name, setName] = useState('');
  const [readOnly, setReadOnly] = useState(false);
  const [preset, setPreset] = useState<ExpiryPreset>('90');
  const [custom, setCustom] = useState('');
  const [expiryError, setExpiryError] = useState<string | null>(null);
  const create = useApiMutation('POST /api/api-keys', { invalidate: [['GET /api/api-keys']], onSuccess: onCreated });
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    const expiry = expiryIso(preset, custom);
    if ('error' in expiry) {
      setExpiryError(expiry.error);
      return;
    }
    setExpiryError(null);
    create.mutate({ body: { name, readOnly, ...expiry } });
  };
  return (
    <form onSubmit={submit}>
      <Stack>
        <TextInput label="Name" description="What uses it, e.g. “CI deploys”" value={name} onChange={(e) => setName(e.currentTarget.value)} required data-autofocus />
        <Checkbox label="Read-only" description="The key can read everything you can, but change nothing" checked={readOnly} onChange={(e) => setReadOnly(e.currentTarget.checked)} />
        <Select
          label="Expires"
          data={EXPIRY_PRESETS.map((p) => ({ value: p.value, label: p.label }))}
          value={preset}
          onChange={(v) => setPreset(EXPIRY_PRESETS.find((p) => p.value === v)?.value ?? '90')}
          allowDeselect={false}
          error={preset !== 'custom' ? expiryError : null}
        />
        {preset === 'custom' && <TextInput type="datetime-local" label="Expiry date and time" value={custom} onChange={(e) => setCustom(e.currentTarget.value)} error={expiryError} required />}
        <ProblemAlert error={create.error} title="The key was not created" />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={create.isPending}>
            Create key
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
