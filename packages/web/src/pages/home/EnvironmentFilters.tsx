import { Button, Group, MultiSelect, Select, TextInput } from '@mantine/core';
import { useDebouncedCallback } from '@mantine/hooks';
import { IconSearch } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import type { HomeFilters } from './home-filters.ts';

type Option = { value: string; label: string };

/** Search, group and tags filters of the environment list (each change goes back to page 1). */
export function EnvironmentFilters({
  filters,
  onChange,
  groupOptions,
  tagOptions,
}: {
  filters: HomeFilters;
  onChange: (f: HomeFilters) => void;
  groupOptions: Option[];
  tagOptions: Option[];
}) {
  // Typing stays local and reaches the URL (and the server) once the person pauses.
  const [search, setSearch] = useState(filters.search);
  useEffect(() => setSearch(filters.search), [filters.search]);
  const pushSearch = useDebouncedCallback((value: string) => onChange({ ...filters, search: value, page: 1 }), 250);
  const filtered = filters.search !== '' || filters.groupId !== null || filters.tagIds.length > 0;
  return (
    <Group align="flex-end" gap="sm" wrap="wrap" mb="md">
      <TextInput
        label="Search environments"
        placeholder="Name"
        leftSection={<IconSearch size={16} />}
        value={search}
        onChange={(e) => {
          setSearch(e.currentTarget.value);
          pushSearch(e.currentTarget.value);
        }}
        w={260}
      />
      <Select
        label="Group"
        placeholder="Any group"
        data={groupOptions}
        value={filters.groupId === null ? null : String(filters.groupId)}
        onChange={(v) => onChange({ ...filters, groupId: v ? Number(v) : null, page: 1 })}
        clearable
        searchable
        w={200}
      />
      <MultiSelect
        label="Tags"
        placeholder={filters.tagIds.length === 0 ? 'Any tag' : undefined}
        data={tagOptions}
        value={filters.tagIds.map(String)}
        onChange={(v) => onChange({ ...filters, tagIds: v.map(Number), page: 1 })}
        clearable
        searchable
        miw={200}
        maw={360}
      />
      {filtered && (
        <Button variant="subtle" onClick={() => onChange({ search: '', groupId: null, tagIds: [], page: 1 })}>
          Clear filters
        </Button>
      )}
    </Group>
  );
}
