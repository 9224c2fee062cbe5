import { Alert } from '@mantine/core';
import type { EnvironmentSnapshotView } from '@capstan/protocol';
import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import type { ApiError } from '../../api/client.ts';
import { Loading } from '../../components/Loading.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';

/** Renders `children` with the engine snapshot; says so plainly when the agent has not sent one yet. */
export function SnapshotGate({ query, children }: { query: UseQueryResult<EnvironmentSnapshotView, ApiError>; children: (view: EnvironmentSnapshotView) => ReactNode }) {
  if (query.data) return children(query.data);
  if (query.isPending) return <Loading label="Loading the engine state" />;
  if (query.error?.code === 'snapshot_not_found') {
    return (
      <Alert variant="light" color="gray" title="No engine state yet">
        The agent sends the host&apos;s containers, images, volumes and networks right after it connects (an async agent with its first poll). This page fills in by itself.
      </Alert>
    );
  }
  return <ProblemAlert error={query.error} title="The engine state could not be loaded" />;
}
