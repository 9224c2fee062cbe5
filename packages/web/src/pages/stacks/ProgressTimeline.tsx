import { Loader, Text, ThemeIcon, Timeline } from '@mantine/core';
import { IconAlertTriangle, IconCheck, IconInfoCircle, IconX } from '@tabler/icons-react';
import type { TimelineEntry } from './progressReducer.ts';

function Bullet({ entry }: { entry: TimelineEntry }) {
  if (entry.kind === 'message') {
    const color = entry.level === 'error' ? 'red' : entry.level === 'warn' ? 'orange' : 'blue';
    return <ThemeIcon size={20} radius="xl" color={color} variant="light">{entry.level === 'info' ? <IconInfoCircle size={14} /> : <IconAlertTriangle size={14} />}</ThemeIcon>;
  }
  if (entry.status === 'started') return <Loader size={14} aria-label="running" />;
  return (
    <ThemeIcon size={20} radius="xl" color={entry.status === 'done' ? 'teal' : 'red'}>
      {entry.status === 'done' ? <IconCheck size={14} aria-label="done" /> : <IconX size={14} aria-label="failed" />}
    </ThemeIcon>
  );
}

/** The deploy's steps and the agent's messages, in order. */
export function ProgressTimeline({ entries }: { entries: readonly TimelineEntry[] }) {
  return (
    <Timeline bulletSize={22} lineWidth={2} active={entries.length - 1} aria-label="Deploy steps">
      {entries.map((e, n) => (
        <Timeline.Item key={n} bullet={<Bullet entry={e} />} data-state={e.kind === 'step' ? e.status : e.level} title={<Text size="sm" ff={e.kind === 'step' ? 'monospace' : undefined}>{e.kind === 'step' ? e.name : e.text}</Text>}>
          {e.kind === 'step' && e.detail && (
            <Text size="xs" c="red">
              {e.detail}
            </Text>
          )}
        </Timeline.Item>
      ))}
    </Timeline>
  );
}
