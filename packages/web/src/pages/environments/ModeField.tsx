import { NumberInput, SegmentedControl, Stack, Text } from '@mantine/core';
import { POLL_INTERVAL_SECONDS } from '@capstan/protocol';
import { useId } from 'react';

/** The environment mode choice (Standard / Async) with what each means; async adds the poll interval. */
export function ModeField({
  mode,
  onMode,
  pollInterval,
  onPollInterval,
}: {
  mode: 'standard' | 'async';
  onMode: (mode: 'standard' | 'async') => void;
  pollInterval: number;
  onPollInterval: (seconds: number) => void;
}) {
  const labelId = useId();
  return (
    <Stack gap={6}>
      <Text size="sm" fw={500} id={labelId}>
        Mode
      </Text>
      <SegmentedControl
        aria-labelledby={labelId}
        value={mode}
        onChange={(v) => onMode(v === 'async' ? 'async' : 'standard')}
        data={[
          { value: 'standard', label: 'Standard' },
          { value: 'async', label: 'Async' },
        ]}
        style={{ alignSelf: 'flex-start' }}
      />
      <Text size="xs" c="dimmed">
        {mode === 'standard'
          ? 'The agent keeps a live connection: actions run at once; logs, console and stats stream live.'
          : 'The agent polls from behind strict firewalls or flaky links: actions wait in a queue for its next poll; no logs, console or stats.'}
      </Text>
      {mode === 'async' && (
        <NumberInput
          label="Poll interval (seconds)"
          description="How often the agent checks in (±10 % jitter). Shorter means fresher state and faster actions."
          value={pollInterval}
          onChange={(v) => onPollInterval(typeof v === 'number' ? v : Number(v) || POLL_INTERVAL_SECONDS.default)}
          min={POLL_INTERVAL_SECONDS.min}
          max={POLL_INTERVAL_SECONDS.max}
          allowDecimal={false}
          maw={260}
        />
      )}
    </Stack>
  );
}
