// "Use template": the template's typed variables as a form; "Create stack" renders it on the
// server (which checks the values) and opens the new-stack page prefilled, so the plan is seen
// before anything is deployed.
import { Button, Drawer, Group, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { ApiError } from '../../api/client.ts';
import { useApi, useApiMutation } from '../../api/query.ts';
import { Loading } from '../../components/Loading.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { nameFromTitle, type NewStackPrefill } from '../stacks/newStackPrefill.ts';
import { checkValues, errorsFromProblem, initialValues, renderValues, type FormValues } from './templateValues.ts';
import { TemplateVariableField } from './TemplateVariableField.tsx';

function VariablesForm({ templateId }: { templateId: string }) {
  const navigate = useNavigate();
  const template = useApi('GET /api/templates/:id', { params: { id: templateId } });
  const [values, setValues] = useState<FormValues | null>(null);
  const [tried, setTried] = useState(false);
  const render = useApiMutation('POST /api/templates/:id/render', {
    onSuccess: (r) => {
      const prefill: NewStackPrefill = { name: nameFromTitle(template.data?.title ?? templateId), compose: r.compose, files: r.files, variables: r.variables, source: 'template', templateTitle: template.data?.title };
      void navigate('/stacks/new', { state: { prefill } });
    },
  });
  if (template.isPending) return <Loading label="Loading the template" />;
  if (template.error) return <ProblemAlert error={template.error} title="The template could not be loaded" />;
  const defs = template.data.variables;
  const current = values ?? initialValues(defs);
  const local = tried ? checkValues(defs, current) : {};
  const server = errorsFromProblem(render.error instanceof ApiError ? render.error.problem : null);
  const submit = (): void => {
    setTried(true);
    if (Object.keys(checkValues(defs, current)).length > 0) return;
    render.mutate({ params: { id: templateId }, body: { variables: renderValues(defs, current) } });
  };
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <Stack gap="sm">
        {template.data.description && <Text size="sm">{template.data.description}</Text>}
        {defs.length === 0 && (
          <Text size="sm" c="dimmed">
            This template has no variables.
          </Text>
        )}
        {defs.map((d) => (
          <TemplateVariableField key={d.name} def={d} value={current[d.name] ?? ''} error={local[d.name] ?? server[d.name]} onChange={(v) => setValues({ ...current, [d.name]: v })} />
        ))}
        <ProblemAlert error={render.error} title="The template could not be used" />
        <Text size="xs" c="dimmed">
          Next you choose the stack's name and environment, and see the plan before anything is deployed.
        </Text>
        <Group justify="flex-end">
          <Button type="submit" loading={render.isPending}>
            Create stack
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** The drawer for template `templateId` (null: closed). */
export function UseTemplateDrawer({ templateId, title, onClose }: { templateId: string | null; title: string; onClose: () => void }) {
  return (
    <Drawer opened={templateId !== null} onClose={onClose} title={title} position="right" size="lg" closeButtonProps={{ 'aria-label': 'Close' }}>
      {templateId !== null && <VariablesForm key={templateId} templateId={templateId} />}
    </Drawer>
  );
}
