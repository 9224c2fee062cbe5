import { Alert, Badge, Button, Group, List, Paper, Spoiler, Stack, Text, Tooltip } from '@mantine/core';
import { IconRefresh } from '@tabler/icons-react';
import { useApi, useApiMutation } from '../../api/query.ts';
import { Guarded } from '../../components/Guarded.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { formatAgo, formatTime } from '../../components/time.ts';

const STATE_COLOR = { loading: 'gray', ok: 'teal', error: 'red' } as const;

/** Where the catalogue comes from, when it loaded, what it skipped; "Refresh" for template managers. */
export function CatalogueStatusCard() {
  const status = useApi('GET /api/templates/catalogue/status', undefined, { staleTime: 30_000 });
  const refresh = useApiMutation('POST /api/templates/catalogue/refresh', { invalidate: [['GET /api/templates/catalogue/status'], ['GET /api/templates']] });
  if (status.error) return <ProblemAlert error={status.error} title="The catalogue status could not be loaded" />;
  const s = status.data;
  if (!s) return null;
  return (
    <Paper withBorder p="sm">
      <Stack gap="xs">
        <Group justify="space-between" wrap="wrap">
          <Group gap="xs" wrap="wrap">
            <Text size="sm" fw={600}>
              Catalogue
            </Text>
            <Badge color={STATE_COLOR[s.state]} variant="light" data-state={s.state}>
              {s.state}
            </Badge>
            <Text size="sm" c="dimmed">
              {s.source.kind === 'none' ? 'No catalogue configured' : `${s.templates} templates from ${s.source.kind} ${s.source.location ?? ''}`}
            </Text>
            {s.loadedAt && (
              <Tooltip label={formatTime(s.loadedAt)}>
                <Text size="xs" c="dimmed">
                  loaded {formatAgo(s.loadedAt)}
                </Text>
              </Tooltip>
            )}
          </Group>
          {s.source.kind !== 'none' && (
            <Guarded permission="templates.manage">
              <Button size="xs" variant="default" leftSection={<IconRefresh size={14} />} loading={refresh.isPending} onClick={() => refresh.mutate({})}>
                Refresh catalogue
              </Button>
            </Guarded>
          )}
        </Group>
        <ProblemAlert error={refresh.error} title="The catalogue was not refreshed" />
        {s.lastError && (
          <Alert color="red" variant="light" title="The last load failed; the templates loaded before stay in use">
            {s.lastError}
          </Alert>
        )}
        {s.skipped.length > 0 && (
          <Spoiler maxHeight={0} showLabel={`${s.skipped.length} entr${s.skipped.length === 1 ? 'y was' : 'ies were'} skipped: show why`} hideLabel="Hide">
            <List size="sm">
              {s.skipped.map((k) => (
                <List.Item key={k.index}>
                  #{k.index}
                  {k.id ? ` (${k.id})` : ''}: {k.reason}
                </List.Item>
              ))}
            </List>
          </Spoiler>
        )}
      </Stack>
    </Paper>
  );
}
