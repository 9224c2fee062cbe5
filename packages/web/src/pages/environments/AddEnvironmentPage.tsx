// Adding a host: describe the environment, run the join command on the host, watch its agent
// arrive. The new environment's id stays in the URL, so a reload returns to the waiting step.
import { Alert, Stepper } from '@mantine/core';
import type { JoinToken } from '@capstan/protocol';
import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { useApi } from '../../api/query.ts';
import { useSession } from '../../auth/session.tsx';
import { Loading } from '../../components/Loading.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { CreateEnvironmentForm } from './CreateEnvironmentForm.tsx';
import { JoinStep } from './JoinStep.tsx';

/** While waiting for the agent, reads its status every 3 s too, in case a live event is missed. */
const WAIT_POLL_MS = 3_000;

/** The add-environment wizard at `/environments/new`. */
export default function AddEnvironmentPage() {
  const session = useSession();
  const [params, setParams] = useSearchParams();
  const created = Number(params.get('environment'));
  const environmentId = Number.isInteger(created) && created > 0 ? created : null;
  const [first, setFirst] = useState<{ token: JoinToken | null; error: unknown }>({ token: null, error: null });
  const input = { params: { id: environmentId ?? 0 } };
  const env = useApi('GET /api/environments/:id', input, { enabled: environmentId !== null });
  const status = useApi('GET /api/environments/:id/status', input, {
    enabled: environmentId !== null,
    refetchInterval: (q) => (q.state.data?.status === 'up' ? false : WAIT_POLL_MS),
  });
  const up = status.data?.status === 'up';
  const active = environmentId === null ? 0 : up ? 3 : 1;
  if (!session.can('environments.create') && environmentId === null) {
    return (
      <>
        <PageHeader title="Add environment" />
        <Alert color="yellow">{session.whyNot('environments.create')}</Alert>
      </>
    );
  }
  return (
    <>
      <PageHeader title="Add environment" description="Connect a Docker host through the Capstan agent." />
      <Stepper active={active} allowNextStepsSelect={false} size="sm" mb="lg">
        <Stepper.Step label="Describe" description="Name and mode" allowStepSelect={false} />
        <Stepper.Step label="Run the agent" description="On the host" allowStepSelect={false} />
        <Stepper.Step label="Connected" description="Ready to use" allowStepSelect={false} />
      </Stepper>
      {environmentId === null && (
        <CreateEnvironmentForm
          onCreated={(created, token, error) => {
            setFirst({ token, error });
            setParams({ environment: String(created.id) }, { replace: true });
          }}
        />
      )}
      {environmentId !== null && <ProblemAlert error={env.error} title="The environment could not be loaded" />}
      {environmentId !== null && env.isPending && <Loading />}
      {environmentId !== null && env.data && <JoinStep env={env.data} initialToken={first.token} initialError={first.error} status={status.data} />}
    </>
  );
}
