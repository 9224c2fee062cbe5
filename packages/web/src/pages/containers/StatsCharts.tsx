// The stats charts: loaded lazily with @mantine/charts (and recharts under it), so only the Stats
// tab pays for them.
import '@mantine/charts/styles.css';
import { LineChart } from '@mantine/charts';
import { SimpleGrid, Paper, Text } from '@mantine/core';
import type { StatsPoint } from './stats-series.ts';

/** CPU and memory over the last minute. */
export default function StatsCharts({ points, memoryLimitMb }: { points: StatsPoint[]; memoryLimitMb: number | null }) {
  return (
    <SimpleGrid cols={{ base: 1, md: 2 }}>
      <Paper withBorder p="sm" data-testid="stats-cpu">
        <Text size="sm" fw={500} mb="xs">
          CPU %
        </Text>
        <LineChart
          h={220}
          data={points}
          dataKey="time"
          series={[{ name: 'cpu', label: 'CPU %', color: 'indigo.6' }]}
          withDots={false}
          curveType="linear"
          yAxisProps={{ domain: [0, 'auto'] }}
          lineChartProps={{ syncId: 'container-stats' }}
          lineProps={{ isAnimationActive: false }}
          unit="%"
        />
      </Paper>
      <Paper withBorder p="sm" data-testid="stats-memory">
        <Text size="sm" fw={500} mb="xs">
          Memory (MB){memoryLimitMb ? ` of ${memoryLimitMb.toFixed(0)} MB` : ''}
        </Text>
        <LineChart
          h={220}
          data={points}
          dataKey="time"
          series={[{ name: 'memoryMb', label: 'Memory MB', color: 'teal.6' }]}
          withDots={false}
          curveType="linear"
          yAxisProps={{ domain: [0, 'auto'] }}
          lineChartProps={{ syncId: 'container-stats' }}
          lineProps={{ isAnimationActive: false }}
          unit=" MB"
        />
      </Paper>
    </SimpleGrid>
  );
}
