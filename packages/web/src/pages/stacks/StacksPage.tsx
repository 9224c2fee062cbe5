// The stacks list: every stack the user sees, filtered by environment (?environmentId=) and by
// name (?search=), with status, version, source and last deploy; "New stack" for deployers.
import { Button, Group, Pagination, Select, Stack, Text, TextInput } from '@mantine/core';
import { IconPlus, IconSearch } from '@tabler/icons-react';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useApi } from '../../api/query.ts';
import { Loading } from '../../components/Loading.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { StacksTable } from './StacksTable.tsx';
import { useEnvironments } from './useEnvironments.ts';

const PAGE_SIZE = 50;

/** `/stacks`. */
export default function StacksPage() {
  const [params, setParams] = useSearchParams();
  const [page, setPage] = useState(1);
  const environmentId = Number(params.get('environmentId')) || undefined;
  const search = params.get('search') ?? '';
  const envs = useEnvironments();
  // One request holds every stack (up to the API's 1000): the name search filters in the browser.
  const stacks = useApi('GET /api/stacks', { query: { limit: 1000, environmentId } });
  const setParam = (key: string, value: string | null): void => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
    setPage(1);
  };
  const needle = search.trim().toLowerCase();
  const items = (stacks.data?.items ?? []).filter((s) => s.name.toLowerCase().includes(needle));
  const pages = Math.max(1, Math.ceil(items.length / PAGE_SIZE));
  const shown = items.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
  const newHref = environmentId && envs.deployable.some((e) => e.id === environmentId) ? `/stacks/new?environmentId=${environmentId}` : '/stacks/new';

  return (
    <Stack gap="md">
      <PageHeader
        title="Stacks"
        description="Compose projects deployed as versions, with plans before each deploy and rollbacks."
        actions={
          envs.deployable.length > 0 && (
            <Button component={Link} to={newHref} leftSection={<IconPlus size={16} />}>
              New stack
            </Button>
          )
        }
      />
      <Group gap="sm" wrap="wrap">
        <TextInput label="Search stacks" placeholder="Name" leftSection={<IconSearch size={14} />} value={search} onChange={(e) => setParam('search', e.currentTarget.value)} w={260} />
        <Select label="Environment" placeholder="All environments" clearable searchable data={envs.all.map((e) => ({ value: String(e.id), label: e.name }))} value={environmentId ? String(environmentId) : null} onChange={(v) => setParam('environmentId', v)} w={260} />
      </Group>
      <ProblemAlert error={stacks.error} title="The stacks could not be loaded" />
      {stacks.isPending ? (
        <Loading label="Loading stacks" />
      ) : items.length === 0 ? (
        <Text c="dimmed" py="lg" ta="center">
          {needle || environmentId ? 'No stack matches these filters.' : 'No stacks yet.'}
        </Text>
      ) : (
        <>
          <StacksTable stacks={shown} environments={envs.byId} />
          <Group justify="space-between">
            <Text size="sm" c="dimmed">
              {items.length} stack{items.length === 1 ? '' : 's'}
              {stacks.data && stacks.data.total > stacks.data.items.length ? ` (the first ${stacks.data.items.length} of ${stacks.data.total}: filter by environment to see the rest)` : ''}
            </Text>
            {pages > 1 && <Pagination total={pages} value={page} onChange={setPage} size="sm" aria-label="Stack pages" />}
          </Group>
        </>
      )}
    </Stack>
  );
}
