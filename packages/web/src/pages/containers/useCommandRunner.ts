// Queues container commands through the durable command log and follows each to its outcome:
// a notification on queueing, another when it ends (command live events refresh the reads).
import type { Command, CommandWithHistory, EnqueueCommand } from '@capstan/protocol';
import { notifications } from '@mantine/notifications';
import { useQueries } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { call } from '../../api/client.ts';
import { keyOf, useApiMutation } from '../../api/query.ts';
import { isFinal } from '../environments/command-kinds.ts';

interface Tracked {
  id: string;
  label: string;
  containerId: string | null;
}

const containerOf = (spec: EnqueueCommand): string | null => ('containerId' in spec.payload ? spec.payload.containerId : null);

/** `run(spec, label)` queues a command; `inFlight(containerId)` is its latest unfinished command, if any. */
export function useCommandRunner(environmentId: number, env: { mode: 'standard' | 'async'; status: 'pending' | 'up' | 'down' } | undefined) {
  const waits = env?.mode === 'async' || env?.status !== 'up';
  const [tracked, setTracked] = useState<Tracked[]>([]);
  // Each outcome is announced once, even if a render repeats before the list is trimmed.
  const announced = useRef(new Set<string>());
  const enqueue = useApiMutation('POST /api/environments/:id/commands', { invalidate: [['GET /api/environments/:id/commands'], ['GET /api/environments']] });
  const results = useQueries({
    queries: tracked.map((t) => {
      const input = { params: { id: environmentId, commandId: t.id } };
      return {
        queryKey: keyOf('GET /api/environments/:id/commands/:commandId', input),
        queryFn: ({ signal }: { signal: AbortSignal }) => call('GET /api/environments/:id/commands/:commandId', input, signal),
      };
    }),
  });
  const finished = tracked.flatMap((t, i) => {
    const cmd = results[i]?.data;
    return cmd && isFinal(cmd.status) ? [{ t, cmd }] : [];
  });
  useEffect(() => {
    if (finished.length === 0) return;
    for (const { t, cmd } of finished) {
      if (announced.current.has(cmd.id)) continue;
      announced.current.add(cmd.id);
      announceOutcome(t.label, cmd);
    }
    const done = new Set(finished.map((f) => f.t.id));
    setTracked((list) => list.filter((t) => !done.has(t.id)));
  }, [finished]);

  const run = (spec: EnqueueCommand, label: string, onQueued?: (cmd: Command) => void): void => {
    enqueue.mutate(
      { params: { id: environmentId }, body: spec },
      {
        onSuccess: (cmd) => {
          notifications.show({
            id: cmd.id,
            loading: true,
            title: label,
            message: queuedText(env),
            // A command that waits for a poll or a reconnect may take long: its outcome gets its own notice.
            autoClose: waits ? 8_000 : false,
          });
          setTracked((list) => [...list, { id: cmd.id, label, containerId: containerOf(spec) }]);
          onQueued?.(cmd);
        },
        onError: (err) => notifications.show({ color: 'red', title: `${label}: refused`, message: err.message }),
      },
    );
  };

  const inFlight = (containerId: string): CommandWithHistory | null => {
    for (let i = tracked.length - 1; i >= 0; i--) {
      const cmd = results[i]?.data;
      if (tracked[i]?.containerId === containerId && cmd && !isFinal(cmd.status)) return cmd;
    }
    return null;
  };

  return { run, inFlight, pending: enqueue.isPending };
}

function queuedText(env: { mode: 'standard' | 'async'; status: string } | undefined): string {
  if (env?.mode === 'async') return 'Queued: the agent runs it at its next poll.';
  if (env?.status !== 'up') return 'Queued: the agent is offline and runs it when it reconnects.';
  return 'Queued: the agent runs it now.';
}

function announceOutcome(label: string, cmd: Command): void {
  notifications.hide(cmd.id);
  const ok = cmd.status === 'succeeded';
  notifications.show({
    color: ok ? 'teal' : 'red',
    title: `${label}: ${cmd.status}`,
    message: ok ? 'Done.' : (cmd.error?.message ?? `The command ended ${cmd.status}.`),
    autoClose: ok ? 4_000 : 10_000,
  });
}
