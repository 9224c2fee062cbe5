import { Table, Text } from '@mantine/core';
import type { Environment, EnvironmentSnapshotView } from '@capstan/protocol';
import { useSearchParams } from 'react-router';
import { useCommandRunner } from '../containers/useCommandRunner.ts';
import { ContainerRow } from './ContainerRow.tsx';
import { ContainerToolbar } from './ContainerToolbar.tsx';
import { filterContainers, readContainerFilter, type ContainerFilter } from './container-filter.ts';
import { useEnvStacks } from './useEnvStacks.ts';
import { useNow } from './useNow.ts';

/** The environment's containers with filters and lifecycle actions (through the command log). */
export function ContainersTab({ env, view }: { env: Environment; view: EnvironmentSnapshotView }) {
  const [params, setParams] = useSearchParams();
  const filter = readContainerFilter(params);
  const now = useNow();
  const runner = useCommandRunner(env.id, env);
  const stacks = useEnvStacks(env.id);
  const stackOf = new Map((stacks.data?.items ?? []).map((s) => [s.projectName, s.id]));
  const all = view.snapshot.containers;
  const projects = [...new Set(all.flatMap((c) => (c.composeProject ? [c.composeProject] : [])))].sort();
  const rows = filterContainers(all, filter);
  const setFilter = (f: ContainerFilter): void => {
    const next = new URLSearchParams();
    if (f.q) next.set('q', f.q);
    if (f.project) next.set('project', f.project);
    if (f.state !== 'all') next.set('state', f.state);
    setParams(next, { replace: true });
  };
  return (
    <>
      <ContainerToolbar filter={filter} onChange={setFilter} projects={projects} />
      <Text size="xs" c="dimmed" mb="xs">
        {rows.length === all.length ? `${all.length} container${all.length === 1 ? '' : 's'}` : `${rows.length} of ${all.length} containers`}
      </Text>
      {rows.length === 0 ? (
        <Text c="dimmed" py="lg" ta="center">
          {all.length === 0 ? 'No containers on this host.' : 'No container matches these filters.'}
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={1000}>
          <Table highlightOnHover verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>State</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Image</Table.Th>
                <Table.Th>Ports</Table.Th>
                <Table.Th>Stack</Table.Th>
                <Table.Th>Created</Table.Th>
                <Table.Th>Actions</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((c) => (
                <ContainerRow
                  key={c.id}
                  env={env}
                  container={c}
                  stackId={c.composeProject ? stackOf.get(c.composeProject) : undefined}
                  inFlight={runner.inFlight(c.id)}
                  run={runner.run}
                  now={now}
                />
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </>
  );
}
