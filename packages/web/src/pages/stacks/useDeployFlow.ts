// Review, then deploy: plan the content (creating the stack first when it does not exist yet),
// show the plan, deploy exactly what was planned on "Deploy". Shared by the new-stack page and the
// stack page's compose, variables and "Pull and redeploy" actions.
import type { DeployedVersion, StackFile, StackPlanAnswer, StackVariableInput } from '@capstan/protocol';
import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useState } from 'react';
import { call } from '../../api/client.ts';

/** What a deploy sends (omitted parts keep the stack's stored content). */
export interface DeployRequest {
  compose?: string;
  files?: StackFile[];
  variables?: StackVariableInput[];
  pull: 'always' | 'missing';
}

export interface DeployFlow {
  /** Plans `request` on the stack `stackId()` gives (it may create the stack); opens the plan. */
  review: (stackId: () => Promise<number>, request: DeployRequest) => Promise<void>;
  confirm: () => Promise<void>;
  cancel: () => void;
  /** The plan being reviewed (null: modal closed) and what confirming deploys. */
  answer: StackPlanAnswer | null;
  request: DeployRequest | null;
  planning: boolean;
  deploying: boolean;
  /** Why the plan (or the stack's creation) failed. */
  reviewError: unknown;
  /** Why the deploy failed (shown in the modal). */
  deployError: unknown;
}

/** The review-then-deploy flow; `onDeployed` runs with the new version once the deploy is accepted. */
export function useDeployFlow(onDeployed: (version: DeployedVersion, stackId: number) => void): DeployFlow {
  const client = useQueryClient();
  const [pending, setPending] = useState<{ stackId: number; request: DeployRequest; answer: StackPlanAnswer } | null>(null);
  const [planning, setPlanning] = useState(false);
  const [deploying, setDeploying] = useState(false);
  const [reviewError, setReviewError] = useState<unknown>(null);
  const [deployError, setDeployError] = useState<unknown>(null);

  const review = useCallback(async (stackId: () => Promise<number>, request: DeployRequest) => {
    setPlanning(true);
    setReviewError(null);
    setDeployError(null);
    try {
      const id = await stackId();
      const { compose, files, variables } = request;
      const answer = await call('POST /api/stacks/:id/plan', { params: { id }, body: { compose, files, variables, pull: request.pull === 'always' } });
      setPending({ stackId: id, request, answer });
    } catch (err) {
      setReviewError(err);
    } finally {
      setPlanning(false);
    }
  }, []);

  const confirm = useCallback(async () => {
    if (!pending) return;
    setDeploying(true);
    setDeployError(null);
    try {
      const version = await call('POST /api/stacks/:id/deploy', { params: { id: pending.stackId }, body: pending.request });
      setPending(null);
      await Promise.all([client.invalidateQueries({ queryKey: ['GET /api/stacks'] }), client.invalidateQueries({ queryKey: ['GET /api/stacks/:id'] }), client.invalidateQueries({ queryKey: ['GET /api/stacks/:id/versions'] })]);
      onDeployed(version, pending.stackId);
    } catch (err) {
      setDeployError(err);
    } finally {
      setDeploying(false);
    }
  }, [pending, client, onDeployed]);

  const cancel = useCallback(() => {
    setPending(null);
    setDeployError(null);
  }, []);

  return { review, confirm, cancel, answer: pending?.answer ?? null, request: pending?.request ?? null, planning, deploying, reviewError, deployError };
}
