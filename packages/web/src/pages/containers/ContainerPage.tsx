// One container: header with its state and actions, then Logs, Console and Stats (live, over
// WebSockets, standard environments only) and Details (from the latest snapshot). The tab is part
// of the path.
import { Alert, Anchor, Tabs } from '@mantine/core';
import type { SnapshotContainer } from '@capstan/protocol';
import { Link, useNavigate, useParams } from 'react-router';
import { useApi } from '../../api/query.ts';
import { useSession } from '../../auth/session.tsx';
import { Loading } from '../../components/Loading.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { SnapshotGate } from '../environments/SnapshotGate.tsx';
import { tabFromSplat } from '../environments/tabs.ts';
import { useEnvStacks } from '../environments/useEnvStacks.ts';
import { ConsolePanel } from './ConsolePanel.tsx';
import { ContainerHeader } from './ContainerHeader.tsx';
import { containerName } from './container-format.ts';
import { DetailsPanel } from './DetailsPanel.tsx';
import { liveUnavailable } from './live-availability.ts';
import { LiveUnavailable } from './LiveUnavailable.tsx';
import { LogsPanel } from './LogsPanel.tsx';
import { StatsPanel } from './StatsPanel.tsx';
import { useCommandRunner } from './useCommandRunner.ts';

const TABS = ['logs', 'console', 'stats', 'details'] as const;
const LABEL = { logs: 'Logs', console: 'Console', stats: 'Stats', details: 'Details' } as const;

/** The container a URL names: by full id, by name, or by an id prefix (as docker accepts). */
function findContainer(list: readonly SnapshotContainer[], ref: string): SnapshotContainer | undefined {
  return list.find((c) => c.id === ref) ?? list.find((c) => containerName(c.name) === ref) ?? (ref.length >= 4 ? list.find((c) => c.id.startsWith(ref)) : undefined);
}

/** One container at `/environments/:id/containers/:containerId/*`. */
export default function ContainerPage() {
  const params = useParams();
  const navigate = useNavigate();
  const session = useSession();
  const id = Number(params.id);
  const ref = params.containerId ?? '';
  const tab = tabFromSplat(params['*'], TABS, 'logs');
  const valid = Number.isInteger(id) && id > 0;
  const input = { params: { id } };
  const env = useApi('GET /api/environments/:id', input, { enabled: valid });
  const snapshot = useApi('GET /api/environments/:id/snapshot', input, { enabled: valid });
  const stacks = useEnvStacks(id, valid);
  const runner = useCommandRunner(id, env.data);
  if (!valid) return <ProblemAlert error={new Error(`"${params.id ?? ''}" is not an environment id`)} title="Environment not found" />;
  if (env.error) return <ProblemAlert error={env.error} title="The environment could not be loaded" />;
  if (!env.data) return <Loading label="Loading the container" />;
  const e = env.data;
  const base = `/environments/${id}/containers/${encodeURIComponent(ref)}`;
  return (
    <SnapshotGate query={snapshot}>
      {(view) => {
        const c = findContainer(view.snapshot.containers, ref);
        if (!c) {
          return (
            <Alert color="gray" variant="light" title="Container not found">
              No container {ref} in the latest engine state of {e.name}: it may have been removed.{' '}
              <Anchor component={Link} to={`/environments/${id}`}>
                Back to {e.name}
              </Anchor>
            </Alert>
          );
        }
        const unavailable = liveUnavailable(e);
        const noLogs = session.whyNot('containers.logs', e);
        const stackId = c.composeProject ? stacks.data?.items.find((s) => s.projectName === c.composeProject)?.id : undefined;
        return (
          <>
            <ContainerHeader env={e} container={c} run={runner.run} busy={runner.inFlight(c.id) !== null} />
            <Tabs value={tab} onChange={(v) => v && void navigate(v === 'logs' ? base : `${base}/${v}`)} keepMounted={false}>
              <Tabs.List mb="md">
                {TABS.map((t) => (
                  <Tabs.Tab key={t} value={t}>
                    {LABEL[t]}
                  </Tabs.Tab>
                ))}
              </Tabs.List>
              <Tabs.Panel value="logs">{unavailable || noLogs ? <LiveUnavailable reason={unavailable ?? noLogs ?? ''} takenAt={view.takenAt} /> : <LogsPanel environmentId={id} containerId={c.id} name={containerName(c.name)} />}</Tabs.Panel>
              <Tabs.Panel value="console">{unavailable ? <LiveUnavailable reason={unavailable} takenAt={view.takenAt} /> : <ConsolePanel env={e} containerId={c.id} state={c.state} />}</Tabs.Panel>
              <Tabs.Panel value="stats">{unavailable ? <LiveUnavailable reason={unavailable} takenAt={view.takenAt} /> : <StatsPanel environmentId={id} containerId={c.id} />}</Tabs.Panel>
              <Tabs.Panel value="details">
                <DetailsPanel container={c} stackId={stackId} takenAt={view.takenAt} />
              </Tabs.Panel>
            </Tabs>
          </>
        );
      }}
    </SnapshotGate>
  );
}
