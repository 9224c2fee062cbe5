import { IconAction } from '../../components/IconAction.tsx';
import { Button, Checkbox, Group, Paper, Select, SimpleGrid, Stack, Text, TextInput, Textarea } from '@mantine/core';
import { TEMPLATE_VARIABLE_TYPES, type TemplateVariableType } from '@capstan/protocol';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { emptyDefinition, type DefinitionRow } from './templateForm.ts';

function Definition({ row, n, onChange, onRemove }: { row: DefinitionRow; n: number; onChange: (patch: Partial<DefinitionRow>) => void; onRemove: () => void }) {
  const who = row.name || `variable ${n + 1}`;
  const bounds = ['string', 'secret', 'number', 'port'].includes(row.type);
  const lengthBounds = row.type === 'string' || row.type === 'secret';
  return (
    <Paper withBorder p="sm">
      <Stack gap="xs">
        <Group align="flex-end" gap="xs" wrap="wrap">
          <TextInput label="Variable name" placeholder="APP_PORT" value={row.name} onChange={(e) => onChange({ name: e.currentTarget.value })} ff="monospace" style={{ flex: 1, minWidth: 160 }} required />
          <Select label="Type" data={[...TEMPLATE_VARIABLE_TYPES]} value={row.type} onChange={(v) => onChange({ type: (TEMPLATE_VARIABLE_TYPES.find((t) => t === v) ?? 'string') satisfies TemplateVariableType })} allowDeselect={false} w={130} />
          <Checkbox label="Required" checked={row.required} onChange={(e) => onChange({ required: e.currentTarget.checked })} mb={8} />
          <IconAction tooltip="Remove this variable" label={`Remove ${who}`} color="red" mb={4} icon={<IconTrash size={16} />} onClick={onRemove} />
        </Group>
        <SimpleGrid cols={{ base: 1, md: 2 }} spacing="xs">
          <TextInput label="Label" value={row.label} onChange={(e) => onChange({ label: e.currentTarget.value })} />
          {row.type !== 'secret' ? (
            <TextInput label="Default" description={row.type === 'boolean' ? 'true or false' : undefined} value={row.default} onChange={(e) => onChange({ default: e.currentTarget.value })} />
          ) : (
            <Text size="xs" c="dimmed" mt="lg">
              Secrets have no default: the value is asked each time.
            </Text>
          )}
        </SimpleGrid>
        <TextInput label="Description" value={row.description} onChange={(e) => onChange({ description: e.currentTarget.value })} />
        {row.type === 'select' && <Textarea label="Options" description='One a line: "value" or "value=Label"' value={row.options} onChange={(e) => onChange({ options: e.currentTarget.value })} autosize minRows={2} ff="monospace" />}
        {bounds && (
          <Group gap="xs" wrap="wrap">
            <TextInput label={lengthBounds ? 'Minimum length' : 'Minimum'} value={row.min} onChange={(e) => onChange({ min: e.currentTarget.value })} w={140} />
            <TextInput label={lengthBounds ? 'Maximum length' : 'Maximum'} value={row.max} onChange={(e) => onChange({ max: e.currentTarget.value })} w={140} />
            {lengthBounds && <TextInput label="Pattern" description="A regular expression the whole value matches" value={row.pattern} onChange={(e) => onChange({ pattern: e.currentTarget.value })} ff="monospace" style={{ flex: 1, minWidth: 200 }} />}
          </Group>
        )}
      </Stack>
    </Paper>
  );
}

/** The typed variables a template asks for when it is used. */
export function DefinitionsEditor({ rows, onChange }: { rows: DefinitionRow[]; onChange: (rows: DefinitionRow[]) => void }) {
  return (
    <Stack gap="xs">
      {rows.map((row, n) => (
        <Definition key={row.key} row={row} n={n} onChange={(patch) => onChange(rows.map((r) => (r.key === row.key ? { ...r, ...patch } : r)))} onRemove={() => onChange(rows.filter((r) => r.key !== row.key))} />
      ))}
      <Group>
        <Button variant="light" size="xs" leftSection={<IconPlus size={14} />} onClick={() => onChange([...rows, emptyDefinition()])}>
          Add variable
        </Button>
      </Group>
    </Stack>
  );
}
