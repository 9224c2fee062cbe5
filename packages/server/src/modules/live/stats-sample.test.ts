import { describe, expect, it } from 'vitest';
import { DockerStatsSchema, statsSample } from './stats-sample.ts';

const now = new Date('2030-01-01T00:00:00.000Z');

describe('statsSample', () => {
  it('computes CPU, memory (without inactive cache), network, block I/O and pids as docker stats does (cgroup v2)', () => {
    const raw = DockerStatsSchema.parse({
      read: '2030-01-01T00:00:05.123456789Z',
      cpu_stats: { cpu_usage: { total_usage: 3_000_000_000 }, system_cpu_usage: 20_000_000_000, online_cpus: 4 },
      precpu_stats: { cpu_usage: { total_usage: 2_000_000_000 }, system_cpu_usage: 10_000_000_000 },
      memory_stats: { usage: 50_000_000, limit: 200_000_000, stats: { inactive_file: 10_000_000 } },
      networks: { eth0: { rx_bytes: 100, tx_bytes: 50 }, eth1: { rx_bytes: 1, tx_bytes: 2 } },
      blkio_stats: { io_service_bytes_recursive: [{ op: 'read', value: 4096 }, { op: 'write', value: 8192 }, { op: 'read', value: 1 }] },
      pids_stats: { current: 3 },
    });
    expect(statsSample(raw, now)).toEqual({
      cpuPercent: 40,
      memoryBytes: 40_000_000,
      memoryLimitBytes: 200_000_000,
      memoryPercent: 20,
      networkRxBytes: 101,
      networkTxBytes: 52,
      blockReadBytes: 4097,
      blockWriteBytes: 8192,
      pids: 3,
      at: '2030-01-01T00:00:05.123Z',
    });
  });

  it('uses cgroup v1 names (total_inactive_file, percpu count, Read/Write) ', () => {
    const raw = DockerStatsSchema.parse({
      cpu_stats: { cpu_usage: { total_usage: 150, percpu_usage: [1, 2] }, system_cpu_usage: 1100 },
      precpu_stats: { cpu_usage: { total_usage: 100 }, system_cpu_usage: 1000 },
      memory_stats: { usage: 1000, limit: 4000, stats: { total_inactive_file: 200, inactive_file: 999 } },
      blkio_stats: { io_service_bytes_recursive: [{ op: 'Read', value: 5 }, { op: 'Write', value: 6 }, { op: 'Total', value: 11 }] },
    });
    expect(statsSample(raw, now)).toMatchObject({ cpuPercent: 100, memoryBytes: 800, memoryPercent: 20, blockReadBytes: 5, blockWriteBytes: 6, pids: 0 });
  });

  it('a first object (no previous read) or a stopped container gives zeros, stamped now', () => {
    const raw = DockerStatsSchema.parse({
      read: '0001-01-01T00:00:00Z',
      cpu_stats: { cpu_usage: { total_usage: 0 } },
      precpu_stats: { cpu_usage: { total_usage: 0 } },
      memory_stats: {},
      networks: null,
      blkio_stats: { io_service_bytes_recursive: null },
      pids_stats: {},
    });
    expect(statsSample(raw, now)).toEqual({
      cpuPercent: 0,
      memoryBytes: 0,
      memoryLimitBytes: 0,
      memoryPercent: 0,
      networkRxBytes: 0,
      networkTxBytes: 0,
      blockReadBytes: 0,
      blockWriteBytes: 0,
      pids: 0,
      at: now.toISOString(),
    });
  });
});
