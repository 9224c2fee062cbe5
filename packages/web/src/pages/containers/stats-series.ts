// The stats charts' data: the last samples of the stream, as points the charts plot.
import type { StatsSample } from '@capstan/protocol';

/** How many samples the charts keep (about a minute: the engine sends one a second). */
export const STATS_WINDOW = 60;

/** `series` plus `sample`, keeping the newest `max`. */
export function appendSample(series: readonly StatsSample[], sample: StatsSample, max = STATS_WINDOW): StatsSample[] {
  const next = [...series, sample];
  return next.length > max ? next.slice(next.length - max) : next;
}

/** One plotted point: local clock time, CPU % and memory in MB. */
export interface StatsPoint {
  time: string;
  cpu: number;
  memoryMb: number;
}

/** The samples as chart points (rounded so tooltips read well). */
export function statsPoints(series: readonly StatsSample[], timeOf: (iso: string) => string = (iso) => new Date(iso).toLocaleTimeString()): StatsPoint[] {
  return series.map((s) => ({ time: timeOf(s.at), cpu: Math.round(s.cpuPercent * 10) / 10, memoryMb: Math.round(s.memoryBytes / 10_000) / 100 }));
}
