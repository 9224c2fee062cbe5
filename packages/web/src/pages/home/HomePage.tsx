// The environments overview: every host the person may see, its connection, mode and containers,
// filterable by name, group and tags (filters live in the URL). Live events keep it current.
import { Button, Group, Pagination, Text } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { keepPreviousData } from '@tanstack/react-query';
import { useNavigate, useSearchParams } from 'react-router';
import { useApi } from '../../api/query.ts';
import { useSession } from '../../auth/session.tsx';
import { Loading } from '../../components/Loading.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { useGroupsAndTags } from '../environments/useGroupsAndTags.ts';
import { EnvironmentFilters } from './EnvironmentFilters.tsx';
import { EnvironmentsTable } from './EnvironmentsTable.tsx';
import { HomeEmpty } from './HomeEmpty.tsx';
import { PAGE_SIZE, hasAllTags, isFiltered, listQuery, readHomeFilters, writeHomeFilters, type HomeFilters } from './home-filters.ts';

/** The environment list at `/`. */
export default function HomePage() {
  const session = useSession();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const filters = readHomeFilters(params);
  const setFilters = (f: HomeFilters): void => setParams(writeHomeFilters(f), { replace: true });
  const list = useApi('GET /api/environments', { query: listQuery(filters) }, { placeholderData: keepPreviousData });
  const { groupOptions, tagOptions, groupName } = useGroupsAndTags();
  const canCreate = session.can('environments.create');
  const items = (list.data?.items ?? []).filter((env) => hasAllTags(env, filters.tagIds.slice(1)));
  const total = list.data?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const fresh = list.data !== undefined && total === 0 && !isFiltered(filters);
  return (
    <>
      <PageHeader
        title="Environments"
        description={list.data ? `${total} environment${total === 1 ? '' : 's'}` : 'Docker hosts and their agents'}
        actions={
          canCreate && (
            <Button leftSection={<IconPlus size={16} />} onClick={() => void navigate('/environments/new')}>
              Add environment
            </Button>
          )
        }
      />
      {!fresh && <EnvironmentFilters filters={filters} onChange={setFilters} groupOptions={groupOptions} tagOptions={tagOptions} />}
      <ProblemAlert error={list.error} title="The environments could not be loaded" />
      {list.isPending && <Loading label="Loading environments" />}
      {fresh && <HomeEmpty canCreate={canCreate} />}
      {list.data && !fresh && items.length === 0 && (
        <Text c="dimmed" py="lg" ta="center">
          No environment matches these filters.
        </Text>
      )}
      {items.length > 0 && <EnvironmentsTable items={items} groupName={groupName} />}
      {pages > 1 && (
        <Group justify="center" mt="md">
          <Pagination total={pages} value={Math.min(filters.page, pages)} onChange={(page) => setFilters({ ...filters, page })} aria-label="Pages of environments" />
        </Group>
      )}
    </>
  );
}
