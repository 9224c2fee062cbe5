// One stack (`/stacks/:id/<tab>`): header with status and actions, the live progress of its newest
// version, and tabs Compose, Versions, Variables, Git. Every mutating action is hidden from those
// who may not do it on the stack's environment.
import { Stack, Tabs } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useCallback, useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { useApi } from '../../api/query.ts';
import { useSession } from '../../auth/session.tsx';
import { Loading } from '../../components/Loading.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { ComposeTab } from './ComposeTab.tsx';
import { DeployProgress } from './DeployProgress.tsx';
import { GitPanel } from './GitPanel.tsx';
import { PlanModal } from './PlanModal.tsx';
import { serverIssuesOf } from './serverIssues.ts';
import { StackHeader } from './StackHeader.tsx';
import { useDeployFlow, type DeployRequest } from './useDeployFlow.ts';
import { VariablesTab } from './VariablesTab.tsx';
import { VersionsPanel } from './VersionsPanel.tsx';

const TABS = ['compose', 'versions', 'variables', 'git'] as const;
type Tab = (typeof TABS)[number];

/** `/stacks/:id/*`. */
export default function StackPage() {
  const params = useParams();
  const navigate = useNavigate();
  const session = useSession();
  const id = Number(params.id);
  const tab: Tab = TABS.find((t) => t === params['*']) ?? 'compose';
  const stack = useApi('GET /api/stacks/:id', { params: { id } }, { enabled: Number.isInteger(id) && id > 0 });
  const envQuery = useApi('GET /api/environments/:id', { params: { id: stack.data?.environmentId ?? 0 } }, { enabled: stack.data !== undefined, staleTime: 60_000 });
  const versions = useApi('GET /api/stacks/:id/versions', { params: { id } }, { enabled: stack.data !== undefined });
  // A deploy of mine resets the tabs' drafts (a deploy by someone else leaves them alone).
  const [deploys, setDeploys] = useState(0);
  const [reviewed, setReviewed] = useState<string | null>(null);
  const onDeployed = useCallback((v: { number: number }) => {
    setDeploys((n) => n + 1);
    notifications.show({ color: 'blue', title: 'Deploy started', message: `Version ${v.number} is on its way; its progress shows at the top.` });
  }, []);
  const flow = useDeployFlow(onDeployed);

  if (stack.isPending) return <Loading label="Loading the stack" />;
  if (stack.error) return <ProblemAlert error={stack.error} title="The stack could not be loaded" />;
  const s = stack.data;
  const env = envQuery.data ?? null;
  const canDeploy = env !== null && session.can('stacks.deploy', env);
  const current = versions.data?.items.find((v) => v.id === s.currentVersionId) ?? (s.latestVersion?.id === s.currentVersionId ? s.latestVersion : null);
  const review = (request: DeployRequest, text: string | null = null): void => {
    setReviewed(text);
    void flow.review(() => Promise.resolve(s.id), request);
  };

  return (
    <Stack gap="md">
      <StackHeader stack={s} env={env} currentNumber={current?.number ?? null} planning={flow.planning} onPullRedeploy={() => review({ pull: 'always' })} />
      <DeployProgress stackId={s.id} version={s.latestVersion} />
      <ProblemAlert error={flow.reviewError} title="The plan failed" />
      <Tabs value={tab} onChange={(t) => void navigate(`/stacks/${s.id}/${t ?? 'compose'}`)} keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="compose">Compose</Tabs.Tab>
          <Tabs.Tab value="versions">Versions</Tabs.Tab>
          <Tabs.Tab value="variables">Variables</Tabs.Tab>
          <Tabs.Tab value="git">Git</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="compose" pt="md">
          <ComposeTab key={deploys} stack={s} canDeploy={canDeploy} planning={flow.planning} server={serverIssuesOf(flow.reviewError ?? flow.deployError, reviewed)} onReview={review} />
        </Tabs.Panel>
        <Tabs.Panel value="versions" pt="md">
          <VersionsPanel stackId={s.id} currentVersionId={s.currentVersionId} env={env} />
        </Tabs.Panel>
        <Tabs.Panel value="variables" pt="md">
          <VariablesTab key={deploys} variables={s.variables} canDeploy={canDeploy} planning={flow.planning} onReview={review} />
        </Tabs.Panel>
        <Tabs.Panel value="git" pt="md">
          <GitPanel stackId={s.id} canDeploy={canDeploy} connected={s.source === 'git'} />
        </Tabs.Panel>
      </Tabs>
      <PlanModal answer={flow.answer} onConfirm={() => void flow.confirm()} onCancel={flow.cancel} deploying={flow.deploying} error={flow.deployError} pullAlways={flow.request?.pull === 'always'} />
    </Stack>
  );
}
