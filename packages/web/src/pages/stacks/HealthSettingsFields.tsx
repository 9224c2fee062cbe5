import { Group, NumberInput, SegmentedControl, Stack, Text } from '@mantine/core';
import type { StackHealthSettings } from '@capstan/protocol';

/** The health gate: how long to watch the containers after a deploy, and what a failure does. */
export function HealthSettingsFields({ value, onChange, disabled = false }: { value: StackHealthSettings; onChange: (v: StackHealthSettings) => void; disabled?: boolean }) {
  return (
    <Group align="flex-end" gap="md" wrap="wrap">
      <NumberInput
        label="Health window (seconds)"
        description="0 turns the health gate off"
        min={0}
        max={3600}
        clampBehavior="strict"
        allowDecimal={false}
        value={value.windowSeconds}
        onChange={(v) => onChange({ ...value, windowSeconds: typeof v === 'number' ? v : Number(v) || 0 })}
        disabled={disabled}
        w={200}
      />
      <Stack gap={4}>
        <Text size="sm" fw={500} id="health-on-failure">
          When health fails
        </Text>
        <SegmentedControl
          aria-labelledby="health-on-failure"
          value={value.onFailure}
          onChange={(v) => onChange({ ...value, onFailure: v === 'report' ? 'report' : 'rollback' })}
          data={[
            { value: 'rollback', label: 'Roll back' },
            { value: 'report', label: 'Report only' },
          ]}
          disabled={disabled || value.windowSeconds === 0}
        />
      </Stack>
    </Group>
  );
}
