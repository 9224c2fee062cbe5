// A container's state and health as badges; `data-state` / `data-health` carry Docker's raw words.
import { Badge } from '@mantine/core';

const STATE_COLOR: Record<string, string> = {
  running: 'teal',
  restarting: 'yellow',
  paused: 'gray',
  created: 'gray',
  exited: 'red',
  dead: 'red',
  removing: 'yellow',
};

/** Docker's container state (running, exited, …). */
export function StateBadge({ state }: { state: string }) {
  return (
    <Badge color={STATE_COLOR[state] ?? 'gray'} variant={state === 'running' ? 'light' : 'outline'} data-state={state}>
      {state}
    </Badge>
  );
}

const HEALTH_COLOR: Record<string, string> = { healthy: 'teal', unhealthy: 'red', starting: 'yellow' };

/** The healthcheck verdict; nothing for containers without a healthcheck. */
export function HealthBadge({ health }: { health: string | null }) {
  if (!health || health === 'none') return null;
  return (
    <Badge color={HEALTH_COLOR[health] ?? 'gray'} variant="dot" data-health={health}>
      {health}
    </Badge>
  );
}
