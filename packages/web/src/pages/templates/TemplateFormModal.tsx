// Create or edit a custom template: title, description, categories, logo, compose file (the
// stack editor, checked with the variables' defaults), extra files and typed variables.
import { Alert, Button, Group, Modal, SimpleGrid, Stack, TagsInput, Text, TextInput, Textarea } from '@mantine/core';
import type { Template } from '@capstan/protocol';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { useApi, useApiMutation } from '../../api/query.ts';
import { Loading } from '../../components/Loading.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { FilesEditor } from '../stacks/FilesEditor.tsx';
import { LazyComposeEditor } from '../stacks/LazyComposeEditor.tsx';
import { EXAMPLE_COMPOSE } from '../stacks/newStackPrefill.ts';
import { DefinitionsEditor } from './DefinitionsEditor.tsx';
import { definitionOf, rowsFromDefinitions, templateBody, undeclaredReferences, type TemplateFormState } from './templateForm.ts';

const READS = [['GET /api/templates'], ['GET /api/templates/:id']];

function formOf(t: Template | undefined): TemplateFormState {
  return { title: t?.title ?? '', description: t?.description ?? '', categories: t?.categories ?? [], logo: t?.logo ?? '', compose: t?.compose ?? EXAMPLE_COMPOSE, files: t?.files ?? [], rows: t ? rowsFromDefinitions(t.variables) : [] };
}

function previewValues(form: TemplateFormState): Record<string, string> {
  const out: Record<string, string> = {};
  for (const row of form.rows) {
    const d = definitionOf(row);
    if (d.name) out[d.name] = d.default === undefined ? (d.type === 'secret' ? 'secret-value' : '') : String(d.default);
  }
  return out;
}

function TemplateForm({ template, onDone }: { template?: Template; onDone: () => void }) {
  const [form, setForm] = useState(() => formOf(template));
  const set = (patch: Partial<TemplateFormState>): void => setForm((f) => ({ ...f, ...patch }));
  const done = (t: Template): void => {
    notifications.show({ color: 'teal', message: `Template “${t.title}” saved.` });
    onDone();
  };
  const create = useApiMutation('POST /api/templates', { invalidate: READS, onSuccess: done });
  const update = useApiMutation('PATCH /api/templates/:id', { invalidate: READS, onSuccess: done });
  const error = create.error ?? update.error;
  const undeclared = undeclaredReferences(form.compose, form.rows);
  const submit = (): void => {
    const body = templateBody(form);
    if (template) update.mutate({ params: { id: template.id }, body });
    else create.mutate({ body });
  };
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <Stack gap="sm">
        <SimpleGrid cols={{ base: 1, md: 2 }}>
          <TextInput label="Title" value={form.title} onChange={(e) => set({ title: e.currentTarget.value })} required />
          <TextInput label="Logo URL" placeholder="https://…/logo.svg" value={form.logo} onChange={(e) => set({ logo: e.currentTarget.value })} />
        </SimpleGrid>
        <Textarea label="Description" value={form.description} onChange={(e) => set({ description: e.currentTarget.value })} autosize minRows={2} />
        <TagsInput label="Categories" description="Enter adds one" value={form.categories} onChange={(v) => set({ categories: v })} />
        <Text size="sm" fw={500}>
          Compose file
        </Text>
        <LazyComposeEditor value={form.compose} onChange={(compose) => set({ compose })} variables={previewValues(form)} files={form.files} projectName="template" minHeight={240} label="Template compose file" />
        {undeclared.length > 0 && (
          <Alert color="yellow" variant="light">
            The compose file uses {undeclared.map((n) => `\${${n}}`).join(', ')} without declaring {undeclared.length === 1 ? 'it' : 'them'}: add a variable, or write {'${NAME:-default}'}.
          </Alert>
        )}
        <Text size="sm" fw={500}>
          Variables
        </Text>
        <DefinitionsEditor rows={form.rows} onChange={(rows) => set({ rows })} />
        <Text size="sm" fw={500}>
          Extra files
        </Text>
        <FilesEditor files={form.files} onChange={(files) => set({ files })} />
        <ProblemAlert error={error} title="The template was not saved" />
        <Group justify="flex-end">
          <Button variant="default" onClick={onDone}>
            Cancel
          </Button>
          <Button type="submit" loading={create.isPending || update.isPending}>
            {template ? 'Save template' : 'Create template'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function EditForm({ id, onDone }: { id: string; onDone: () => void }) {
  const template = useApi('GET /api/templates/:id', { params: { id } });
  if (template.isPending) return <Loading label="Loading the template" />;
  if (template.error) return <ProblemAlert error={template.error} />;
  return <TemplateForm template={template.data} onDone={onDone} />;
}

/** The custom template form in a modal: `editing` is a template id, "new", or null (closed). */
export function TemplateFormModal({ editing, onClose }: { editing: string | null; onClose: () => void }) {
  return (
    <Modal opened={editing !== null} onClose={onClose} title={editing === 'new' ? 'New template' : 'Edit template'} size="xl">
      {editing === 'new' ? <TemplateForm onDone={onClose} /> : editing !== null && <EditForm key={editing} id={editing} onDone={onClose} />}
    </Modal>
  );
}
