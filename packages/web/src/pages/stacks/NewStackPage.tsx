// New stack: name, environment, compose file (checked as you type), variables, files and health
// gate; "Review and deploy" creates the stack (once: later attempts reuse it), shows the plan and
// deploys on "Deploy", then opens the stack page where the progress shows.
import { Alert, Button, FileButton, Group, Select, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { StackNameSchema, type StackFile, type StackHealthSettings } from '@capstan/protocol';
import { IconInfoCircle, IconUpload } from '@tabler/icons-react';
import { useMemo, useState } from 'react';
import { Link, useLocation, useNavigate, useSearchParams } from 'react-router';
import { call } from '../../api/client.ts';
import { Loading } from '../../components/Loading.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { LazyComposeEditor } from './LazyComposeEditor.tsx';
import { EXAMPLE_COMPOSE, readPrefill } from './newStackPrefill.ts';
import { PlanModal } from './PlanModal.tsx';
import { serverIssuesOf } from './serverIssues.ts';
import { StackContentForm } from './StackContentForm.tsx';
import { useDeployFlow } from './useDeployFlow.ts';
import { useEnvironments } from './useEnvironments.ts';
import { interpolationValues, rowErrors, rowsFromVariables, rowsToInput, type VariableRow } from './variables.ts';

interface Created {
  id: number;
  name: string;
  environmentId: number;
  health: StackHealthSettings;
}

/** The new-stack page (`/stacks/new`, `?environmentId=` preselects; router state may carry a template's content). */
export default function NewStackPage() {
  const location = useLocation();
  const navigate = useNavigate();
  const [search] = useSearchParams();
  const prefill = useMemo(() => readPrefill(location.state), [location.state]);
  const envs = useEnvironments();
  const [name, setName] = useState(prefill?.name ?? '');
  const [envChoice, setEnvChoice] = useState<string | null>(search.get('environmentId') ?? (prefill?.environmentId ? String(prefill.environmentId) : null));
  const [compose, setCompose] = useState(prefill?.compose ?? EXAMPLE_COMPOSE);
  const [source, setSource] = useState(prefill?.source ?? 'editor');
  const [rows, setRows] = useState<VariableRow[]>(() => rowsFromVariables(prefill?.variables ?? []));
  const [files, setFiles] = useState<StackFile[]>(prefill?.files ?? []);
  const [health, setHealth] = useState<StackHealthSettings>({ windowSeconds: 10, onFailure: 'rollback' });
  const [created, setCreated] = useState<Created | null>(null);
  const [reviewed, setReviewed] = useState<string | null>(null);
  const [touched, setTouched] = useState(false);
  const flow = useDeployFlow((_, id) => void navigate(`/stacks/${id}`));

  const options = envs.deployable.map((e) => ({ value: String(e.id), label: e.name }));
  // Only an environment the user may deploy to counts; a lone one is chosen for them.
  const environmentId = options.some((o) => o.value === envChoice) ? Number(envChoice) : options.length === 1 ? Number(options[0]?.value) : null;
  const nameCheck = StackNameSchema.safeParse(name);
  const nameError = touched && !nameCheck.success ? nameCheck.error.issues[0]?.message : undefined;
  const variablesOk = Object.keys(rowErrors(rows)).length === 0;
  const ready = nameCheck.success && environmentId !== null && compose.trim() !== '' && variablesOk;

  const ensureStack = async (): Promise<number> => {
    if (created) {
      if (created.health.windowSeconds !== health.windowSeconds || created.health.onFailure !== health.onFailure) {
        await call('PATCH /api/stacks/:id', { params: { id: created.id }, body: { health } });
        setCreated({ ...created, health });
      }
      return created.id;
    }
    const stack = await call('POST /api/stacks', { body: { name: name.trim(), environmentId: environmentId ?? 0, compose, files, variables: rowsToInput(rows), source, health } });
    setCreated({ id: stack.id, name: stack.name, environmentId: stack.environmentId, health: stack.health });
    return stack.id;
  };

  const upload = (text: string): void => {
    setCompose(text);
    setSource('upload');
  };

  const review = (): void => {
    setTouched(true);
    if (!ready) return;
    setReviewed(compose);
    void flow.review(ensureStack, { compose, files, variables: rowsToInput(rows), pull: 'missing' });
  };

  if (envs.query.isPending) return <Loading />;
  if (envs.query.error) return <ProblemAlert error={envs.query.error} />;
  return (
    <Stack gap="md">
      <PageHeader title="New stack" description={prefill?.templateTitle ? `From the template “${prefill.templateTitle}”` : 'A compose project deployed to one environment as versions you can roll back.'} />
      {options.length === 0 && (
        <Alert color="yellow" icon={<IconInfoCircle size={18} />} title="No environment to deploy to">
          You may not deploy stacks to any environment. Ask an environment administrator for a role that allows it.
        </Alert>
      )}
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <TextInput label="Name" description="Letters, digits, _ and -; the compose project is its lower-case form" value={name} onChange={(e) => setName(e.currentTarget.value)} onBlur={() => setTouched(true)} error={nameError} disabled={created !== null} required />
        <Select label="Environment" placeholder="Choose an environment" data={options} value={environmentId === null ? null : String(environmentId)} onChange={setEnvChoice} error={touched && environmentId === null ? 'Choose an environment' : undefined} disabled={created !== null} searchable required />
      </SimpleGrid>
      {created && (
        <Alert color="blue" variant="light" icon={<IconInfoCircle size={18} />}>
          Stack <Link to={`/stacks/${created.id}`}>{created.name}</Link> was created but not deployed yet; its name and environment are fixed now. Review again to deploy it.
        </Alert>
      )}
      <Group justify="space-between" align="flex-end">
        <Text fw={500} size="sm">
          Compose file
        </Text>
        <FileButton onChange={(file) => void file?.text().then(upload)} accept=".yml,.yaml,text/yaml,application/yaml">
          {(props) => (
            <Button {...props} variant="default" size="xs" leftSection={<IconUpload size={14} />}>
              Upload compose file
            </Button>
          )}
        </FileButton>
      </Group>
      <LazyComposeEditor value={compose} onChange={setCompose} variables={interpolationValues(rows)} files={files} projectName={name} server={serverIssuesOf(flow.reviewError ?? flow.deployError, reviewed)} />
      <StackContentForm rows={rows} onRows={setRows} files={files} onFiles={setFiles} health={health} onHealth={setHealth} />
      <ProblemAlert error={flow.reviewError} title={created ? 'The plan failed' : 'The stack was not created'} />
      <Group justify="flex-end">
        <Button variant="default" component={Link} to="/stacks">
          Cancel
        </Button>
        <Button onClick={review} loading={flow.planning} disabled={options.length === 0}>
          Review and deploy
        </Button>
      </Group>
      <PlanModal answer={flow.answer} onConfirm={() => void flow.confirm()} onCancel={flow.cancel} deploying={flow.deploying} error={flow.deployError} />
    </Stack>
  );
}
