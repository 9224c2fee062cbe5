import type { StatsSample } from '@capstan/protocol';
import { describe, expect, it } from 'vitest';
import { appendSample, statsPoints } from './stats-series.ts';

const sample = (n: number): StatsSample => ({
  cpuPercent: n + 0.123,
  memoryBytes: 52_345_678,
  memoryLimitBytes: 1e9,
  memoryPercent: 5.2,
  networkRxBytes: 0,
  networkTxBytes: 0,
  blockReadBytes: 0,
  blockWriteBytes: 0,
  pids: 3,
  at: `2026-01-31T10:00:${String(n).padStart(2, '0')}Z`,
});

describe('stats series', () => {
  it('keeps the newest samples only', () => {
    let series: StatsSample[] = [];
    for (let i = 0; i < 5; i++) series = appendSample(series, sample(i), 3);
    expect(series.map((s) => s.cpuPercent)).toEqual([2.123, 3.123, 4.123]);
  });

  it('turns samples into rounded points', () => {
    expect(statsPoints([sample(1)], (iso) => iso.slice(11, 19))).toEqual([{ time: '10:00:01', cpu: 1.1, memoryMb: 52.35 }]);
  });
});
