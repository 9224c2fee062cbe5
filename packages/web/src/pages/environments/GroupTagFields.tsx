import { MultiSelect, Select, SimpleGrid } from '@mantine/core';
import { useGroupsAndTags } from './useGroupsAndTags.ts';

/** Optional group and tags of an environment (from the existing groups and tags). */
export function GroupTagFields({
  groupId,
  onGroupId,
  tagIds,
  onTagIds,
}: {
  groupId: number | null;
  onGroupId: (id: number | null) => void;
  tagIds: number[];
  onTagIds: (ids: number[]) => void;
}) {
  const { groupOptions, tagOptions } = useGroupsAndTags();
  return (
    <SimpleGrid cols={{ base: 1, md: 2 }}>
      <Select
        label="Group"
        description={groupOptions.length === 0 ? 'No groups defined yet' : 'Roles granted on a group apply to its environments'}
        placeholder="No group"
        data={groupOptions}
        value={groupId === null ? null : String(groupId)}
        onChange={(v) => onGroupId(v ? Number(v) : null)}
        clearable
        searchable
        disabled={groupOptions.length === 0}
      />
      <MultiSelect
        label="Tags"
        description={tagOptions.length === 0 ? 'No tags defined yet' : 'For filtering the environment list'}
        placeholder={tagIds.length === 0 ? 'No tags' : undefined}
        data={tagOptions}
        value={tagIds.map(String)}
        onChange={(v) => onTagIds(v.map(Number))}
        searchable
        clearable
        disabled={tagOptions.length === 0}
      />
    </SimpleGrid>
  );
}
