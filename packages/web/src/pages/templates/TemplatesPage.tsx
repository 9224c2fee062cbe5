// App templates: the catalogue and custom templates, searchable and filtered by category and
// source. Using one asks for its variables, then opens the new-stack page prefilled (the plan is
// shown before deploying). Template managers create, edit and delete custom ones.
import { Button, Group, SegmentedControl, Select, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconPlus, IconSearch } from '@tabler/icons-react';
import { useMemo, useState } from 'react';
import { useApi } from '../../api/query.ts';
import { useSession } from '../../auth/session.tsx';
import { Guarded } from '../../components/Guarded.tsx';
import { Loading } from '../../components/Loading.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { CatalogueStatusCard } from './CatalogueStatusCard.tsx';
import { DeleteTemplateModal } from './DeleteTemplateModal.tsx';
import { TemplateCard } from './TemplateCard.tsx';
import { TemplateFormModal } from './TemplateFormModal.tsx';
import { useEnvironments } from '../stacks/useEnvironments.ts';
import { UseTemplateDrawer } from './UseTemplateDrawer.tsx';

type SourceFilter = 'all' | 'catalogue' | 'custom';

/** `/templates`. */
export default function TemplatesPage() {
  const session = useSession();
  const canManage = session.can('templates.manage');
  // Using a template ends in a new stack: offered only to those who may deploy one somewhere.
  const canUse = useEnvironments().deployable.length > 0;
  const [search, setSearch] = useState('');
  const [debounced] = useDebouncedValue(search.trim(), 250);
  const [category, setCategory] = useState<string | null>(null);
  const [source, setSource] = useState<SourceFilter>('all');
  const [using, setUsing] = useState<{ id: string; title: string } | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<{ id: string; title: string } | null>(null);
  const templates = useApi('GET /api/templates', { query: { limit: 1000, search: debounced || undefined, category: category ?? undefined, source: source === 'all' ? undefined : source } }, { placeholderData: (prev) => prev });
  // The categories offered come from every template, not only those the filters leave.
  const all = useApi('GET /api/templates', { query: { limit: 1000 } }, { staleTime: 60_000 });
  const categories = useMemo(() => [...new Set((all.data?.items ?? []).flatMap((t) => t.categories))].sort((a, b) => a.localeCompare(b)), [all.data]);
  const items = templates.data?.items ?? [];

  return (
    <Stack gap="md">
      <PageHeader
        title="Templates"
        description="Ready-made stacks: fill in a few values, review the plan, deploy."
        actions={
          <Guarded permission="templates.manage">
            <Button leftSection={<IconPlus size={16} />} onClick={() => setEditing('new')}>
              New template
            </Button>
          </Guarded>
        }
      />
      <CatalogueStatusCard />
      <Group gap="sm" wrap="wrap" align="flex-end">
        <TextInput label="Search templates" placeholder="Title, description or category" leftSection={<IconSearch size={14} />} value={search} onChange={(e) => setSearch(e.currentTarget.value)} w={280} />
        <Select label="Category" placeholder="All categories" data={categories} value={category} onChange={setCategory} clearable searchable w={220} />
        <SegmentedControl
          aria-label="Template source"
          value={source}
          onChange={(v) => setSource(v === 'catalogue' || v === 'custom' ? v : 'all')}
          data={[
            { value: 'all', label: 'All' },
            { value: 'catalogue', label: 'Catalogue' },
            { value: 'custom', label: 'Custom' },
          ]}
        />
      </Group>
      <ProblemAlert error={templates.error} title="The templates could not be loaded" />
      {templates.isPending ? (
        <Loading label="Loading templates" />
      ) : items.length === 0 ? (
        <Text c="dimmed" ta="center" py="lg">
          {debounced || category || source !== 'all' ? 'No template matches these filters.' : 'No templates yet.'}
        </Text>
      ) : (
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="md">
          {items.map((t) => (
            <TemplateCard key={t.id} template={t} canManage={canManage} canUse={canUse} onUse={() => setUsing({ id: t.id, title: t.title })} onEdit={() => setEditing(t.id)} onDelete={() => setDeleting({ id: t.id, title: t.title })} />
          ))}
        </SimpleGrid>
      )}
      <UseTemplateDrawer templateId={using?.id ?? null} title={using ? `Use “${using.title}”` : ''} onClose={() => setUsing(null)} />
      <TemplateFormModal editing={editing} onClose={() => setEditing(null)} />
      <DeleteTemplateModal target={deleting} onClose={() => setDeleting(null)} />
    </Stack>
  );
}
