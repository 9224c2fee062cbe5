// Live updates: one EventSource on /api/events per tab. Each change notice invalidates the reads
// that show what changed; TanStack Query refetches those on screen and marks the rest stale.
import { EVENTS_PATH, LiveEventSchema, type LiveEvent } from '@capstan/protocol';
import type { QueryClient, QueryKey } from '@tanstack/react-query';

/** The reads a change notice makes stale (pure: unit-tested). */
export function staleKeys(event: LiveEvent): QueryKey[] {
  const env = { params: { id: event.environmentId } };
  switch (event.type) {
    case 'environment':
      return [['GET /api/environments'], ['GET /api/environments/:id', env], ['GET /api/environments/:id/status', env]];
    case 'snapshot':
      return [['GET /api/environments/:id/snapshot', env], ['GET /api/environments']];
    case 'command':
      return [['GET /api/environments/:id/commands', env], ['GET /api/environments/:id/commands/:commandId'], ['GET /api/environments']];
    case 'stack':
      return [['GET /api/stacks'], ['GET /api/stacks/:id', { params: { id: event.stackId } }], ['GET /api/stacks/:id/versions', { params: { id: event.stackId } }]];
  }
}

/** Connection state of the live stream, for the header's indicator. */
export type LiveState = 'connecting' | 'live' | 'reconnecting';

/** Opens the stream; returns the closer. Drops reconnect by themselves; a refused stream retries every 5 s. */
export function connectLiveEvents(client: QueryClient, onState: (s: LiveState) => void, onEvent?: (e: LiveEvent) => void): () => void {
  let source: EventSource | null = null;
  let retry: ReturnType<typeof setTimeout> | null = null;
  let closed = false;
  let opens = 0;
  const handle = (msg: MessageEvent<string>): void => {
    let data: unknown;
    try {
      data = JSON.parse(msg.data);
    } catch {
      return; // a notice we cannot read changes nothing on screen
    }
    const parsed = LiveEventSchema.safeParse(data);
    if (!parsed.success) return;
    onEvent?.(parsed.data);
    for (const queryKey of staleKeys(parsed.data)) void client.invalidateQueries({ queryKey });
  };
  const open = (): void => {
    onState('connecting');
    const s = new EventSource(EVENTS_PATH, { withCredentials: true });
    source = s;
    for (const type of ['environment', 'snapshot', 'command', 'stack'] as const) s.addEventListener(type, handle);
    s.onopen = () => {
      onState('live');
      // Whatever changed while the stream was away: refetch what is on screen.
      if (opens++ > 0) void client.invalidateQueries();
    };
    s.onerror = () => {
      onState('reconnecting');
      if (s.readyState === EventSource.CLOSED && !closed) retry = setTimeout(open, 5_000);
    };
  };
  open();
  return () => {
    closed = true;
    if (retry) clearTimeout(retry);
    source?.close();
  };
}
