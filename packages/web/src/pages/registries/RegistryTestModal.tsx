// The outcome of "Test": which endpoint answered and how it authenticates, or why it failed.
import { Alert, Button, Group, Modal, Stack, Text } from '@mantine/core';
import type { Registry, RegistryTestResult } from '@capstan/protocol';
import { IconCircleCheck } from '@tabler/icons-react';
import { Loading } from '../../components/Loading.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { formatTime } from '../../components/time.ts';

const AUTH: Record<RegistryTestResult['auth'], string> = {
  basic: 'HTTP basic authentication',
  bearer: 'a bearer token service',
  none: 'no authentication (it asked for no credentials)',
};

export interface RegistryTestState {
  registry: Registry;
  pending: boolean;
  result?: RegistryTestResult | undefined;
  error?: unknown;
}

/** Shows a running or finished credential check of one registry. */
export function RegistryTestModal({ state, onClose }: { state: RegistryTestState | null; onClose: () => void }) {
  return (
    <Modal opened={state !== null} onClose={onClose} title={state ? `Check of ${state.registry.name}` : ''} centered>
      {state && (
        <Stack>
          {state.pending && <Loading label="Checking the registry" />}
          {state.result && (
            <Alert color="teal" variant="light" icon={<IconCircleCheck size={18} />} title="The credentials work" data-testid="registry-test-ok">
              <Text size="sm">
                <Text span ff="monospace" size="sm">
                  {state.result.endpoint}
                </Text>{' '}
                answered, using {AUTH[state.result.auth]}.
              </Text>
              <Text size="xs" c="dimmed" mt={4}>
                Checked {formatTime(state.result.checkedAt)} from the Capstan server. Agents pull from their own hosts: their network path may differ.
              </Text>
            </Alert>
          )}
          <ProblemAlert error={state.error} title="The check failed" />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Close
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
