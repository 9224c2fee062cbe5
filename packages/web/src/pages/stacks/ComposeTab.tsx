// The Compose tab: the stack's compose file (and extra files) for the next deploy; deployers edit
// and "Review and deploy", others read. Edits stay a draft until deployed.
import { Accordion, Alert, Badge, Button, Group, Stack } from '@mantine/core';
import type { Stack as StackData, StackFile } from '@capstan/protocol';
import { IconGitBranch, IconInfoCircle } from '@tabler/icons-react';
import { useState } from 'react';
import type { ServerIssues } from './composeDiagnostics.ts';
import { FilesEditor } from './FilesEditor.tsx';
import { HealthSettingsCard } from './HealthSettingsCard.tsx';
import { LazyComposeEditor } from './LazyComposeEditor.tsx';
import type { DeployRequest } from './useDeployFlow.ts';
import { valuesOfStack } from './variables.ts';

export interface ComposeTabProps {
  stack: StackData;
  canDeploy: boolean;
  planning: boolean;
  server: ServerIssues | null;
  onReview: (request: DeployRequest, composeText: string) => void;
}

/** Edit and deploy the compose file; the health gate settings under it. */
export function ComposeTab({ stack, canDeploy, planning, server, onReview }: ComposeTabProps) {
  const [draft, setDraft] = useState<string | null>(null);
  const [files, setFiles] = useState<StackFile[] | null>(null);
  const compose = draft ?? stack.compose ?? '';
  const edited = (draft !== null && draft !== stack.compose) || files !== null;
  const discard = (): void => {
    setDraft(null);
    setFiles(null);
  };
  return (
    <Stack gap="md">
      {stack.compose === null && (
        <Alert color="blue" variant="light" icon={<IconInfoCircle size={18} />} title="Adopted stack">
          This stack was adopted from a running compose project: Capstan does not know its compose file. Write one and deploy it to manage the stack from here.
        </Alert>
      )}
      {stack.source === 'git' && canDeploy && (
        <Alert color="gray" variant="light" icon={<IconGitBranch size={18} />}>
          This stack deploys from Git: a deploy from here lasts until the next change in the repository is synced.
        </Alert>
      )}
      <LazyComposeEditor value={compose} onChange={canDeploy ? setDraft : undefined} readOnly={!canDeploy} variables={valuesOfStack(stack.variables)} files={files ?? stack.files} projectName={stack.projectName} server={server} />
      <Accordion variant="separated">
        <Accordion.Item value="files">
          <Accordion.Control>
            Extra files <Badge variant="light" size="sm" ml={4}>{(files ?? stack.files).length}</Badge>
          </Accordion.Control>
          <Accordion.Panel>
            <FilesEditor files={files ?? stack.files} onChange={setFiles} readOnly={!canDeploy} />
          </Accordion.Panel>
        </Accordion.Item>
      </Accordion>
      {canDeploy && (
        <Group justify="flex-end">
          {edited && (
            <Button variant="default" onClick={discard}>
              Discard changes
            </Button>
          )}
          <Button loading={planning} disabled={compose.trim() === ''} onClick={() => onReview({ compose, ...(files ? { files } : {}), pull: 'missing' }, compose)}>
            Review and deploy
          </Button>
        </Group>
      )}
      <HealthSettingsCard stackId={stack.id} health={stack.health} editable={canDeploy} />
    </Stack>
  );
}
