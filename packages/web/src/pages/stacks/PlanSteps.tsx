import { Badge, Code, Group, List, Stack, Text } from '@mantine/core';
import type { StackPlan } from '@capstan/protocol';
import { planRows } from './planView.ts';

/** The plan, one entry per service (then changed networks and volumes): name, action, what changed. */
export function PlanSteps({ plan }: { plan: StackPlan }) {
  const rows = planRows(plan);
  return (
    <List data-testid="plan" listStyleType="none" spacing="xs" aria-label="Plan steps">
      {rows.map((row) => (
        <List.Item key={`${row.kind}:${row.name}`} data-action={row.action} data-service={row.kind === 'service' ? row.name : undefined}>
          <Stack gap={2}>
            <Group gap="xs" wrap="wrap">
              <Badge color={row.color} variant="light" tt="none" miw={72}>
                {row.action}
              </Badge>
              <Text fw={500}>{row.name}</Text>
              {row.kind !== 'service' && (
                <Text size="xs" c="dimmed">
                  {row.kind}
                </Text>
              )}
            </Group>
            {row.changes.length > 0 && (
              <Stack gap={0} pl="md">
                <Text size="xs" c="dimmed">
                  Changed:
                </Text>
                {row.changes.map((c) => (
                  <Code key={c} fz="xs" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>
                    {c}
                  </Code>
                ))}
              </Stack>
            )}
            {row.notes.map((n) => (
              <Text key={n} size="xs" c="dimmed" pl="md">
                {n}
              </Text>
            ))}
          </Stack>
        </List.Item>
      ))}
    </List>
  );
}
