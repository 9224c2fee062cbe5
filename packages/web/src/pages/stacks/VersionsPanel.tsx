import { Button, Group, Text } from '@mantine/core';
import { IconGitCompare } from '@tabler/icons-react';
import { useState } from 'react';
import { useApi } from '../../api/query.ts';
import type { EnvironmentScope } from '../../auth/permissions.ts';
import { Loading } from '../../components/Loading.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { CompareVersions } from './CompareVersions.tsx';
import { VersionsTable } from './VersionsTable.tsx';

/** The Versions tab: every version with its outcome, rollbacks (for deployers) and a compose diff of two versions. */
export function VersionsPanel({ stackId, currentVersionId, env }: { stackId: number; currentVersionId: number | null; env: EnvironmentScope | null }) {
  const versions = useApi('GET /api/stacks/:id/versions', { params: { id: stackId } });
  const [comparing, setComparing] = useState(false);
  if (versions.isPending) return <Loading label="Loading versions" />;
  if (versions.error) return <ProblemAlert error={versions.error} title="The versions could not be loaded" />;
  const items = [...versions.data.items].sort((x, y) => y.number - x.number);
  return (
    <>
      <Group justify="space-between" mb="sm">
        <Text size="sm" c="dimmed">
          {items.length} version{items.length === 1 ? '' : 's'}; each deploy and rollback makes a new one.
        </Text>
        <Button variant="default" size="xs" leftSection={<IconGitCompare size={14} />} onClick={() => setComparing(true)} disabled={items.length < 2}>
          Compare
        </Button>
      </Group>
      {items.length === 0 ? (
        <Text c="dimmed" ta="center" py="lg">
          No versions yet: the stack has not been deployed.
        </Text>
      ) : (
        <VersionsTable stackId={stackId} versions={items} currentVersionId={currentVersionId} env={env} />
      )}
      {comparing && <CompareVersions stackId={stackId} versions={items} opened onClose={() => setComparing(false)} />}
    </>
  );
}
