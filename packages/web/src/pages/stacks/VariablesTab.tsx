// The Variables tab: what the next deploy interpolates. Secret values come masked and stay stored
// unless replaced; editing ends in the same review-then-deploy flow as the compose file.
import { Badge, Button, Group, Stack, Table, Text } from '@mantine/core';
import type { StackVariable } from '@capstan/protocol';
import { IconPencil } from '@tabler/icons-react';
import { useState } from 'react';
import type { DeployRequest } from './useDeployFlow.ts';
import { VariablesEditor } from './VariablesEditor.tsx';
import { rowErrors, rowsFromVariables, rowsToInput, type VariableRow } from './variables.ts';

function VariablesTable({ variables }: { variables: StackVariable[] }) {
  if (variables.length === 0) return <Text c="dimmed" size="sm">No variables.</Text>;
  return (
    <Table.ScrollContainer minWidth={500}>
      <Table>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            <Table.Th>Value</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {variables.map((v) => (
            <Table.Tr key={v.name}>
              <Table.Td ff="monospace">{v.name}</Table.Td>
              <Table.Td>
                {v.secret ? (
                  <Group gap="xs">
                    <Text ff="monospace" aria-label="hidden secret value">
                      ••••••••
                    </Text>
                    <Badge size="xs" variant="light" color="grape">
                      secret
                    </Badge>
                  </Group>
                ) : (
                  <Text ff="monospace" style={{ wordBreak: 'break-all' }}>
                    {v.value}
                  </Text>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/** Shows the variables; deployers edit them and deploy after the plan. */
export function VariablesTab({ variables, canDeploy, planning, onReview }: { variables: StackVariable[]; canDeploy: boolean; planning: boolean; onReview: (request: DeployRequest) => void }) {
  const [rows, setRows] = useState<VariableRow[] | null>(null);
  if (rows === null) {
    return (
      <Stack gap="sm">
        <VariablesTable variables={variables} />
        {canDeploy && (
          <Group>
            <Button variant="default" leftSection={<IconPencil size={14} />} onClick={() => setRows(rowsFromVariables(variables))}>
              Edit variables
            </Button>
          </Group>
        )}
      </Stack>
    );
  }
  const valid = Object.keys(rowErrors(rows)).length === 0;
  return (
    <Stack gap="sm">
      <Text size="sm" c="dimmed">
        Secret values are never shown again: leave a stored secret empty to keep it.
      </Text>
      <VariablesEditor rows={rows} onChange={setRows} />
      <Group justify="flex-end">
        <Button variant="default" onClick={() => setRows(null)}>
          Cancel
        </Button>
        <Button loading={planning} disabled={!valid} onClick={() => onReview({ variables: rowsToInput(rows), pull: 'missing' })}>
          Review and deploy
        </Button>
      </Group>
    </Stack>
  );
}
