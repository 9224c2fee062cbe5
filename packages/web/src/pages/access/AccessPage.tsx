// Roles & access: who holds which role where, what each role allows, and the groups and tags
// environments are organised by. The open tab lives in the URL.
import { Tabs } from '@mantine/core';
import { useSearchParams } from 'react-router';
import { PageHeader } from '../../components/PageHeader.tsx';
import { AssignmentsPanel } from './AssignmentsPanel.tsx';
import { GroupsPanel } from './GroupsPanel.tsx';
import { RoleMatrixTable } from './RoleMatrixTable.tsx';
import { TagsPanel } from './TagsPanel.tsx';

const TABS = ['assignments', 'roles', 'groups', 'tags'] as const;
type Tab = (typeof TABS)[number];

/** /access: assignments, the role catalogue, groups and tags as tabs (?tab=). */
export default function AccessPage() {
  const [params, setParams] = useSearchParams();
  const asked = params.get('tab');
  const tab: Tab = TABS.find((t) => t === asked) ?? 'assignments';
  const open = (value: string | null): void =>
    setParams((p) => {
      const next = new URLSearchParams();
      // Filters belong to one tab: keep only the assignments' scope when staying there.
      if (value === 'assignments' && p.get('scope')) next.set('scope', p.get('scope') ?? '');
      if (value && value !== 'assignments') next.set('tab', value);
      return next;
    });
  return (
    <>
      <PageHeader title="Roles & access" description="Roles are granted to users or teams on an environment or on a group of environments." />
      <Tabs value={tab} onChange={open} keepMounted={false}>
        <Tabs.List mb="md">
          <Tabs.Tab value="assignments">Assignments</Tabs.Tab>
          <Tabs.Tab value="roles">Roles</Tabs.Tab>
          <Tabs.Tab value="groups">Groups</Tabs.Tab>
          <Tabs.Tab value="tags">Tags</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="assignments">
          <AssignmentsPanel />
        </Tabs.Panel>
        <Tabs.Panel value="roles">
          <RoleMatrixTable />
        </Tabs.Panel>
        <Tabs.Panel value="groups">
          <GroupsPanel />
        </Tabs.Panel>
        <Tabs.Panel value="tags">
          <TagsPanel />
        </Tabs.Panel>
      </Tabs>
    </>
  );
}
