// A live stream of JSON text messages (logs, stats): data messages go to the caller; `end`,
// `error` and the socket's close become one final outcome with a reason a person can read.
import { LiveEndMessageSchema, LiveErrorMessageSchema } from '@capstan/protocol';

/** How a live stream finished. */
export interface LiveOutcome {
  /** `end`: the engine ended it (the container stopped); `error`: it failed; `refused`: it never opened. */
  kind: 'end' | 'error' | 'refused' | 'closed';
  reason: string;
}

/** Says why a socket that never opened was refused: the browser cannot see the server's answer. */
export const REFUSED_REASON =
  'The server refused the stream: the container may be gone, the agent offline, or your role may not allow it (the server log and audit say which).';

/** Opens `url`; returns the closer. `onDone` is called once, whichever way the stream ends. */
export function openJsonStream(url: string, onData: (value: unknown) => void, onDone: (outcome: LiveOutcome) => void, onOpen?: () => void): () => void {
  const ws = new WebSocket(url);
  let opened = false;
  let outcome: LiveOutcome | null = null;
  let closedByUs = false;
  ws.onopen = () => {
    opened = true;
    onOpen?.();
  };
  ws.onmessage = (msg: MessageEvent<unknown>) => {
    if (typeof msg.data !== 'string') return;
    let value: unknown;
    try {
      value = JSON.parse(msg.data);
    } catch {
      return; // not JSON: nothing these streams send
    }
    const failure = LiveErrorMessageSchema.safeParse(value);
    if (failure.success) {
      outcome = { kind: 'error', reason: `${failure.data.message} (${failure.data.code})` };
      return;
    }
    if (LiveEndMessageSchema.safeParse(value).success) {
      outcome = { kind: 'end', reason: 'The stream ended: the container stopped.' };
      return;
    }
    onData(value);
  };
  ws.onclose = (ev) => {
    if (closedByUs) return;
    const fallback: LiveOutcome = opened
      ? { kind: 'closed', reason: `The connection closed${ev.reason ? `: ${ev.reason}` : ''} (code ${ev.code}).` }
      : { kind: 'refused', reason: REFUSED_REASON };
    onDone(outcome ?? fallback);
  };
  return () => {
    closedByUs = true;
    ws.close(1000);
  };
}
