import { IconAction } from '../../components/IconAction.tsx';
import { Button, Group, PasswordInput, Stack, Switch, Text, TextInput } from '@mantine/core';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { emptyRow, rowErrors, type VariableRow } from './variables.ts';

function ValueInput({ row, onChange }: { row: VariableRow; onChange: (value: string) => void }) {
  const label = `Value of ${row.name || 'the variable'}`;
  if (!row.secret) return <TextInput aria-label={label} placeholder="value" value={row.value} onChange={(e) => onChange(e.currentTarget.value)} style={{ flex: 2 }} />;
  return (
    <PasswordInput
      aria-label={label}
      placeholder={row.stored ? 'stored: leave empty to keep it' : 'secret value'}
      value={row.value}
      onChange={(e) => onChange(e.currentTarget.value)}
      visibilityToggleButtonProps={{ 'aria-label': `Show or hide ${row.name || 'the value'}` }}
      style={{ flex: 2 }}
    />
  );
}

/** Rows of name / value / secret; secret values are masked (with a reveal toggle) and never shown back by the server. */
export function VariablesEditor({ rows, onChange }: { rows: VariableRow[]; onChange: (rows: VariableRow[]) => void }) {
  const errors = rowErrors(rows);
  const update = (key: string, patch: Partial<VariableRow>): void => onChange(rows.map((r) => (r.key === key ? { ...r, ...patch } : r)));
  return (
    <Stack gap="xs">
      {rows.length === 0 && (
        <Text size="sm" c="dimmed">
          No variables. The compose file reads them as ${'{NAME}'}.
        </Text>
      )}
      {rows.map((row, n) => (
        <Group key={row.key} gap="xs" align="flex-start" wrap="wrap">
          <TextInput
            aria-label={`Name of variable ${n + 1}`}
            placeholder="NAME"
            value={row.name}
            error={errors[row.key]}
            onChange={(e) => update(row.key, { name: e.currentTarget.value })}
            ff="monospace"
            style={{ flex: 1, minWidth: 160 }}
            disabled={row.stored}
          />
          <ValueInput row={row} onChange={(value) => update(row.key, { value })} />
          <Switch
            label="Secret"
            aria-label={`Secret: ${row.name || `variable ${n + 1}`}`}
            checked={row.secret}
            disabled={row.stored}
            onChange={(e) => update(row.key, { secret: e.currentTarget.checked })}
            mt={8}
          />
          <IconAction tooltip="Remove this variable" label={`Remove variable ${row.name || n + 1}`} color="red" mt={4} icon={<IconTrash size={16} />} onClick={() => onChange(rows.filter((r) => r.key !== row.key))} />
        </Group>
      ))}
      <Group>
        <Button variant="light" size="xs" leftSection={<IconPlus size={14} />} onClick={() => onChange([...rows, emptyRow()])}>
          Add variable
        </Button>
      </Group>
    </Stack>
  );
}
