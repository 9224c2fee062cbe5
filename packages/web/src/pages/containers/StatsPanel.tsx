// Live resource use of a container: CPU and memory charts (lazy: @mantine/charts) and the
// current network, block IO and process numbers.
import { Alert, Button, Group, Paper, SimpleGrid, Text } from '@mantine/core';
import { IconPlugConnected } from '@tabler/icons-react';
import { Suspense, lazy } from 'react';
import { Loading } from '../../components/Loading.tsx';
import { formatBytes } from '../../components/time.ts';
import { statsPoints } from './stats-series.ts';
import { useStatsStream } from './useStatsStream.ts';

const StatsCharts = lazy(() => import('./StatsCharts.tsx'));

function Figure({ label, value, hint }: { label: string; value: string; hint?: string }) {
  return (
    <Paper withBorder p="sm">
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text size="lg" fw={600}>
        {value}
      </Text>
      {hint && (
        <Text size="xs" c="dimmed">
          {hint}
        </Text>
      )}
    </Paper>
  );
}

/** The Stats tab of a container. */
export function StatsPanel({ environmentId, containerId }: { environmentId: number; containerId: string }) {
  const stream = useStatsStream(environmentId, containerId);
  const last = stream.samples.at(-1);
  return (
    <>
      {stream.state === 'done' && stream.outcome && (
        <Alert variant="light" color={stream.outcome.kind === 'end' ? 'gray' : 'orange'} mb="sm" title="Stats stopped">
          <Group justify="space-between" wrap="wrap" gap="xs">
            <Text size="sm">{stream.outcome.reason}</Text>
            <Button size="xs" variant="light" leftSection={<IconPlugConnected size={14} />} onClick={stream.reconnect}>
              Reconnect
            </Button>
          </Group>
        </Alert>
      )}
      <SimpleGrid cols={{ base: 2, md: 5 }} mb="md">
        <Figure label="CPU" value={last ? `${last.cpuPercent.toFixed(1)} %` : '—'} hint="of one core × 100" />
        <Figure label="Memory" value={last ? formatBytes(last.memoryBytes) : '—'} hint={last ? `${last.memoryPercent.toFixed(1)} % of ${formatBytes(last.memoryLimitBytes)}` : undefined} />
        <Figure label="Network" value={last ? `↓ ${formatBytes(last.networkRxBytes)}` : '—'} hint={last ? `↑ ${formatBytes(last.networkTxBytes)}` : undefined} />
        <Figure label="Block IO" value={last ? `R ${formatBytes(last.blockReadBytes)}` : '—'} hint={last ? `W ${formatBytes(last.blockWriteBytes)}` : undefined} />
        <Figure label="PIDs" value={last ? String(last.pids) : '—'} />
      </SimpleGrid>
      {stream.state === 'connecting' && stream.samples.length === 0 && <Loading label="Connecting to stats" />}
      <Suspense fallback={<Loading label="Loading charts" />}>
        <StatsCharts points={statsPoints(stream.samples)} memoryLimitMb={last && last.memoryLimitBytes > 0 ? last.memoryLimitBytes / 1e6 : null} />
      </Suspense>
    </>
  );
}
