import { Alert, Anchor, Button, Group, Text } from '@mantine/core';
import type { Environment, Stack as StackData } from '@capstan/protocol';
import { IconAlertTriangle, IconCloudDownload } from '@tabler/icons-react';
import { Link } from 'react-router';
import { Guarded } from '../../components/Guarded.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { DeleteStackButton } from './DeleteStackButton.tsx';
import { StackStatusBadge } from './StackStatusBadge.tsx';

/** The status the header shows: the newest version's (the stack's own while removing or never deployed). */
export function headerStatus(stack: Pick<StackData, 'status' | 'latestVersion'>): string {
  if (stack.status === 'removing' || !stack.latestVersion) return stack.status;
  return stack.latestVersion.status;
}

/** Name, environment, status, running version; "Pull and redeploy" and "Delete" for those allowed. */
export function StackHeader({ stack, env, currentNumber, planning, onPullRedeploy }: { stack: StackData; env: Environment | null; currentNumber: number | null; planning: boolean; onPullRedeploy: () => void }) {
  return (
    <>
      <PageHeader
        title={stack.name}
        badge={<StackStatusBadge status={headerStatus(stack)} data-testid="stack-status" size="lg" />}
        description={
          <Group gap="md" component="span" wrap="wrap">
            <Text span size="sm">
              Environment{' '}
              <Anchor component={Link} to={`/environments/${stack.environmentId}`} size="sm">
                {env?.name ?? `#${stack.environmentId}`}
              </Anchor>
            </Text>
            <Text span size="sm">
              Running {currentNumber === null ? 'no version' : `version ${currentNumber}`}
            </Text>
            <Text span size="sm">
              Project <Text span ff="monospace">{stack.projectName}</Text>
            </Text>
            <Text span size="sm">
              Source {stack.source}
            </Text>
          </Group>
        }
        actions={
          env && (
            <>
              {stack.compose !== null && (
                <Guarded permission="stacks.deploy" env={env}>
                  <Button variant="default" leftSection={<IconCloudDownload size={16} />} loading={planning} onClick={onPullRedeploy}>
                    Pull and redeploy
                  </Button>
                </Guarded>
              )}
              <Guarded permission="stacks.delete" env={env}>
                <DeleteStackButton stackId={stack.id} name={stack.name} />
              </Guarded>
            </>
          )
        }
      />
      {stack.removeError && (
        <Alert color="red" variant="light" icon={<IconAlertTriangle size={18} />} title="The last delete failed" mb="md">
          {stack.removeError}
        </Alert>
      )}
    </>
  );
}
