import { Group, Select, TextInput } from '@mantine/core';
import { IconSearch } from '@tabler/icons-react';
import { NO_PROJECT, type ContainerFilter } from './container-filter.ts';

/** Search, compose project and state filters above the containers table. */
export function ContainerToolbar({ filter, onChange, projects }: { filter: ContainerFilter; onChange: (f: ContainerFilter) => void; projects: string[] }) {
  return (
    <Group align="flex-end" gap="sm" wrap="wrap" mb="sm">
      <TextInput
        label="Search containers"
        placeholder="Name, image, service"
        leftSection={<IconSearch size={16} />}
        value={filter.q}
        onChange={(e) => onChange({ ...filter, q: e.currentTarget.value })}
        w={260}
      />
      <Select
        label="Stack / project"
        placeholder="Any"
        data={[{ value: NO_PROJECT, label: 'No project' }, ...projects.map((p) => ({ value: p, label: p }))]}
        value={filter.project}
        onChange={(v) => onChange({ ...filter, project: v })}
        clearable
        searchable
        w={220}
      />
      <Select
        label="State"
        data={[
          { value: 'all', label: 'All' },
          { value: 'running', label: 'Running' },
          { value: 'stopped', label: 'Stopped' },
          { value: 'unhealthy', label: 'Unhealthy' },
        ]}
        value={filter.state}
        onChange={(v) => onChange({ ...filter, state: v ?? 'all' })}
        allowDeselect={false}
        w={160}
      />
    </Group>
  );
}
