// What the person must know before trusting the lists: no agent yet, agent offline (the lists are
// the last known state), or async (the state is as of the last poll and actions wait in a queue).
import { Alert, Anchor, Stack, Text } from '@mantine/core';
import type { Environment, EnvironmentSnapshotView } from '@capstan/protocol';
import { IconClockPause, IconPlugConnectedX, IconRefreshAlert } from '@tabler/icons-react';
import { Link } from 'react-router';
import { formatAgo, formatTime } from '../../components/time.ts';
import { nextPoll } from './poll-text.ts';
import { envTabPath } from './tabs.ts';

const when = (iso: string, now: number): string => `${formatTime(iso)} (${formatAgo(iso, now)})`;

/** The alerts above an environment's tabs (none for a connected standard environment). */
export function EnvironmentNotices({ env, view, now }: { env: Environment; view: EnvironmentSnapshotView | undefined; now: number }) {
  const stateAsOf = view?.takenAt ?? env.stateAsOf;
  if (env.status === 'up' && env.mode === 'standard' && !view?.snapshot.truncated) return null;
  return (
    <Stack gap="sm" mb="md">
      {env.status === 'pending' && (
        <Alert variant="light" color="gray" title="No agent has joined yet">
          Make a join command in the{' '}
          <Anchor component={Link} to={envTabPath(env.id, 'agent')}>
            Agent tab
          </Anchor>{' '}
          and run it on the host.
        </Alert>
      )}
      {env.status === 'down' && (
        <Alert variant="light" color="orange" icon={<IconPlugConnectedX size={18} />} title="Environment offline">
          <Text size="sm">
            The agent is offline{env.lastSeenAt ? ` since ${when(env.lastSeenAt, now)}` : ''}. The lists show the last known state
            {stateAsOf ? `, as of ${when(stateAsOf, now)}` : ''}. Container actions are queued and run when the agent is back.
          </Text>
        </Alert>
      )}
      {env.mode === 'async' && (
        <Alert variant="light" color="violet" icon={<IconClockPause size={18} />} title="Async environment">
          <Text size="sm">
            State as of {stateAsOf ? when(stateAsOf, now) : 'no poll yet'}. The agent polls every {env.pollIntervalSeconds} s
            {env.nextPollAt ? `; ${nextPoll(env.nextPollAt, now)}` : ''}. Actions are queued and run at its next poll
            {env.queueLength > 0 ? ` (${env.queueLength} waiting)` : ''}; logs, console and stats need a standard connection.
          </Text>
        </Alert>
      )}
      {view?.snapshot.truncated && (
        <Alert variant="light" color="yellow" icon={<IconRefreshAlert size={18} />} title="Incomplete engine state">
          The host has more objects than one agent message carries: some labels or items are left out of these lists.
        </Alert>
      )}
    </Stack>
  );
}
