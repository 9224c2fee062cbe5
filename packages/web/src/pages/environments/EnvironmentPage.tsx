// One environment: header, what to know about its connection, and tabs for its engine state,
// stacks, command queue and agent. The engine state comes from the latest snapshot; live events
// refresh it (standard) or each poll does (async). The selected tab is part of the path.
import { Tabs } from '@mantine/core';
import { useNavigate, useParams } from 'react-router';
import { useApi } from '../../api/query.ts';
import { Loading } from '../../components/Loading.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { AgentTab } from './AgentTab.tsx';
import { ContainersTab } from './ContainersTab.tsx';
import { EnvironmentHeader } from './EnvironmentHeader.tsx';
import { EnvironmentNotices } from './EnvironmentNotices.tsx';
import { ImagesTab } from './ImagesTab.tsx';
import { NetworksTab } from './NetworksTab.tsx';
import { QueueTab } from './QueueTab.tsx';
import { SnapshotGate } from './SnapshotGate.tsx';
import { StacksTab } from './StacksTab.tsx';
import { ENV_TABS, envTabPath, tabFromSplat, type EnvTab } from './tabs.ts';
import { useNow } from './useNow.ts';
import { VolumesTab } from './VolumesTab.tsx';

const TAB_LABEL: Record<EnvTab, string> = {
  containers: 'Containers',
  images: 'Images',
  volumes: 'Volumes',
  networks: 'Networks',
  stacks: 'Stacks',
  queue: 'Queue',
  agent: 'Agent',
};

/** One environment at `/environments/:id/*`. */
export default function EnvironmentPage() {
  const params = useParams();
  const navigate = useNavigate();
  const now = useNow();
  const id = Number(params.id);
  const valid = Number.isInteger(id) && id > 0;
  const tab = tabFromSplat(params['*'], ENV_TABS, 'containers');
  const input = { params: { id } };
  const env = useApi('GET /api/environments/:id', input, { enabled: valid });
  const snapshot = useApi('GET /api/environments/:id/snapshot', input, { enabled: valid });
  if (!valid) return <ProblemAlert error={new Error(`"${params.id ?? ''}" is not an environment id`)} title="Environment not found" />;
  if (env.error) return <ProblemAlert error={env.error} title="The environment could not be loaded" />;
  if (!env.data) return <Loading label="Loading the environment" />;
  const e = env.data;
  return (
    <>
      <EnvironmentHeader env={e} view={snapshot.data} now={now} />
      <EnvironmentNotices env={e} view={snapshot.data} now={now} />
      <Tabs value={tab} onChange={(v) => v && void navigate(envTabPath(id, tabFromSplat(v, ENV_TABS, 'containers')))} keepMounted={false}>
        <Tabs.List mb="md">
          {ENV_TABS.map((t) => (
            <Tabs.Tab key={t} value={t}>
              {TAB_LABEL[t]}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        <Tabs.Panel value="containers">
          <SnapshotGate query={snapshot}>{(view) => <ContainersTab env={e} view={view} />}</SnapshotGate>
        </Tabs.Panel>
        <Tabs.Panel value="images">
          <SnapshotGate query={snapshot}>{(view) => <ImagesTab env={e} view={view} />}</SnapshotGate>
        </Tabs.Panel>
        <Tabs.Panel value="volumes">
          <SnapshotGate query={snapshot}>{(view) => <VolumesTab env={e} view={view} />}</SnapshotGate>
        </Tabs.Panel>
        <Tabs.Panel value="networks">
          <SnapshotGate query={snapshot}>{(view) => <NetworksTab env={e} view={view} />}</SnapshotGate>
        </Tabs.Panel>
        <Tabs.Panel value="stacks">
          <StacksTab env={e} view={snapshot.data} />
        </Tabs.Panel>
        <Tabs.Panel value="queue">
          <QueueTab env={e} now={now} view={snapshot.data} />
        </Tabs.Panel>
        <Tabs.Panel value="agent">
          <AgentTab env={e} now={now} />
        </Tabs.Panel>
      </Tabs>
    </>
  );
}
