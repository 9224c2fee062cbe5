import { Alert, List, Text } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { ApiError } from '../api/client.ts';

/** Shows a failed call: the server's `detail` (what to fix), its field issues and the request id. */
export function ProblemAlert({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  const problem = error instanceof ApiError ? error.problem : null;
  return (
    <Alert color="red" variant="light" icon={<IconAlertTriangle size={18} />} title={title ?? problem?.title ?? 'Something went wrong'} role="alert">
      <Text size="sm">{problem?.detail ?? (error instanceof Error ? error.message : 'unknown error')}</Text>
      {problem?.issues && problem.issues.length > 0 && (
        <List size="sm" mt="xs">
          {problem.issues.map((i, n) => (
            <List.Item key={n}>
              <Text span ff="monospace" size="sm">
                {i.file ? `${i.file}${i.line ? `:${i.line}${i.column ? `:${i.column}` : ''}` : ''} ` : i.path ? `${i.path}: ` : ''}
              </Text>
              {i.message}
            </List.Item>
          ))}
        </List>
      )}
      {problem?.requestId && (
        <Text size="xs" c="dimmed" mt="xs">
          {problem.code} · request {problem.requestId}
        </Text>
      )}
    </Alert>
  );
}
