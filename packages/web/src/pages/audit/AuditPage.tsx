// The audit log: every change and every refused attempt, newest first, filtered by the URL's
// search params, loaded a page at a time, exportable. Read-only: the log is append-only.
import { Button, Group, Stack, Text } from '@mantine/core';
import { IconRefresh } from '@tabler/icons-react';
import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router';
import { useSession } from '../../auth/session.tsx';
import { Loading } from '../../components/Loading.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { NoAccess } from '../../components/NoAccess.tsx';
import { AuditFiltersBar } from './AuditFiltersBar.tsx';
import { AuditTable } from './AuditTable.tsx';
import { auditQuery, filtersFromParams, filtersToParams, hasFilters, type AuditFilters } from './auditFilters.ts';
import { ExportMenu } from './ExportMenu.tsx';
import { useAuditPages } from './useAuditPages.ts';

/** /audit: the log for audit.read, an explanation otherwise. */
export default function AuditPage() {
  const session = useSession();
  if (!session.can('audit.read')) {
    return (
      <>
        <PageHeader title="Audit log" />
        <NoAccess>Only administrators can read the audit log.</NoAccess>
      </>
    );
  }
  return <AuditView />;
}

function AuditView() {
  const [params, setParams] = useSearchParams();
  const paramsKey = params.toString();
  const filters = useMemo(() => filtersFromParams(new URLSearchParams(paramsKey)), [paramsKey]);
  const query = useMemo(() => auditQuery(filters), [filters]);
  const log = useAuditPages(query);
  const setFilters = useCallback((f: AuditFilters) => setParams(filtersToParams(f), { replace: true }), [setParams]);
  const filterOn = (key: 'user' | 'action' | 'requestId', value: string): void => setFilters({ ...filters, [key]: value });
  return (
    <Stack gap="md">
      <PageHeader
        title="Audit log"
        description="Every change made through Capstan, and every refused attempt. Records cannot be changed or deleted."
        actions={
          <>
            <Button variant="default" leftSection={<IconRefresh size={16} />} onClick={() => void log.refetch()} loading={log.isRefetching && !log.isFetchingNextPage}>
              Refresh
            </Button>
            <ExportMenu records={log.records} />
          </>
        }
      />
      <AuditFiltersBar filters={filters} onChange={setFilters} />
      <ProblemAlert error={log.error} title="The audit log could not be loaded" />
      {log.isPending && <Loading label="Loading the audit log" />}
      {log.data && log.records.length === 0 && <Text c="dimmed">{hasFilters(filters) ? 'No record matches these filters.' : 'The audit log is empty.'}</Text>}
      {log.records.length > 0 && <AuditTable records={log.records} onFilter={filterOn} />}
      {log.data && log.records.length > 0 && (
        <Group justify="space-between" wrap="wrap">
          <Text size="sm" c="dimmed" aria-live="polite">
            Showing {log.records.length} of {log.total} records
          </Text>
          {log.hasNextPage && (
            <Button variant="light" onClick={() => void log.fetchNextPage()} loading={log.isFetchingNextPage}>
              Load more
            </Button>
          )}
        </Group>
      )}
    </Stack>
  );
}
