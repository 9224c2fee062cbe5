// Turns one object of the engine's stats stream into the sample people see, computed the way
// `docker stats` does (CPU from the delta to the previous read, memory without inactive cache).
import type { StatsSample } from '@capstan/protocol';
import { z } from 'zod';

const Count = z.number().nonnegative().catch(0);

/** The parts of Docker's stats object we read (cgroup v1 and v2; missing parts count as zero). */
const CpuStatsSchema = z
  .object({
    cpu_usage: z.object({ total_usage: Count, percpu_usage: z.array(z.number()).nullish() }).partial().nullish(),
    system_cpu_usage: Count.optional(),
    online_cpus: Count.optional(),
  })
  .nullish();

export const DockerStatsSchema = z.object({
  read: z.string().optional(),
  cpu_stats: CpuStatsSchema,
  precpu_stats: CpuStatsSchema,
  memory_stats: z
    .object({ usage: Count.optional(), limit: Count.optional(), stats: z.record(z.string(), z.number()).nullish() })
    .nullish(),
  networks: z.record(z.string(), z.object({ rx_bytes: Count.optional(), tx_bytes: Count.optional() })).nullish(),
  blkio_stats: z
    .object({ io_service_bytes_recursive: z.array(z.object({ op: z.string(), value: Count })).nullish() })
    .nullish(),
  pids_stats: z.object({ current: Count.optional() }).nullish(),
});
export type DockerStats = z.infer<typeof DockerStatsSchema>;

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** The sample for one stats object; `now` stamps it when the engine's `read` time is missing or zero. */
export function statsSample(raw: DockerStats, now: Date): StatsSample {
  const cpu = raw.cpu_stats;
  const pre = raw.precpu_stats;
  const cpuDelta = (cpu?.cpu_usage?.total_usage ?? 0) - (pre?.cpu_usage?.total_usage ?? 0);
  const systemDelta = (cpu?.system_cpu_usage ?? 0) - (pre?.system_cpu_usage ?? 0);
  const cpus = cpu?.online_cpus || cpu?.cpu_usage?.percpu_usage?.length || 1;
  // No previous read (first object) or a counter reset: no meaningful rate yet.
  const cpuPercent = pre?.system_cpu_usage && cpuDelta > 0 && systemDelta > 0 ? (cpuDelta / systemDelta) * cpus * 100 : 0;

  const mem = raw.memory_stats;
  const usage = mem?.usage ?? 0;
  const inactive = mem?.stats?.total_inactive_file ?? mem?.stats?.inactive_file ?? 0;
  const memoryBytes = inactive < usage ? usage - inactive : usage;
  const memoryLimitBytes = mem?.limit ?? 0;

  let networkRxBytes = 0;
  let networkTxBytes = 0;
  for (const net of Object.values(raw.networks ?? {})) {
    networkRxBytes += net.rx_bytes ?? 0;
    networkTxBytes += net.tx_bytes ?? 0;
  }
  let blockReadBytes = 0;
  let blockWriteBytes = 0;
  for (const entry of raw.blkio_stats?.io_service_bytes_recursive ?? []) {
    const op = entry.op.toLowerCase();
    if (op === 'read') blockReadBytes += entry.value;
    else if (op === 'write') blockWriteBytes += entry.value;
  }

  const read = raw.read ? Date.parse(raw.read) : Number.NaN;
  // Stopped containers report the zero time (0001-01-01).
  const at = Number.isFinite(read) && read > 0 ? new Date(read) : now;
  return {
    cpuPercent: round(cpuPercent, 2),
    memoryBytes: Math.round(memoryBytes),
    memoryLimitBytes: Math.round(memoryLimitBytes),
    memoryPercent: memoryLimitBytes > 0 ? round((memoryBytes / memoryLimitBytes) * 100, 2) : 0,
    networkRxBytes: Math.round(networkRxBytes),
    networkTxBytes: Math.round(networkTxBytes),
    blockReadBytes: Math.round(blockReadBytes),
    blockWriteBytes: Math.round(blockWriteBytes),
    pids: Math.round(raw.pids_stats?.current ?? 0),
    at: at.toISOString(),
  };
}
