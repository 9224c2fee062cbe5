// Follows one version's deploy over Server-Sent Events (the one place the app uses EventSource
// besides the shell's change notices). The stream replays the progress kept so far, then goes
// live; it is closed here on the final status, so the browser does not reconnect to a finished deploy.
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useReducer, useState } from 'react';
import { fillPath } from '../../api/client.ts';
import { EMPTY_PROGRESS, parseProgressMessage, reduceProgress, type ProgressInput, type ProgressState } from './progressReducer.ts';

/** Connection state of the stream. */
export type StreamState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

type Action = ProgressInput | { kind: 'reset' };

function reducer(state: ProgressState, action: Action): ProgressState {
  return action.kind === 'reset' ? EMPTY_PROGRESS : reduceProgress(state, action);
}

/** The progress of version `versionId` of stack `stackId` (null: nothing to follow). */
export function useVersionEvents(stackId: number, versionId: number | null): { progress: ProgressState; stream: StreamState } {
  const client = useQueryClient();
  const [progress, dispatch] = useReducer(reducer, EMPTY_PROGRESS);
  const [stream, setStream] = useState<StreamState>('idle');

  useEffect(() => {
    dispatch({ kind: 'reset' });
    if (versionId === null) {
      setStream('idle');
      return;
    }
    setStream('connecting');
    const source = new EventSource(fillPath('/api/stacks/:id/versions/:versionId/events', { id: stackId, versionId }), { withCredentials: true });
    const handle = (name: string) => (msg: MessageEvent<string>) => {
      const input = parseProgressMessage(name, msg.data);
      if (!input) return;
      dispatch(input);
      if (input.kind === 'status' && input.version.final) {
        source.close();
        setStream('closed');
        void client.invalidateQueries({ queryKey: ['GET /api/stacks/:id/versions'] });
        void client.invalidateQueries({ queryKey: ['GET /api/stacks/:id'] });
      }
    };
    source.addEventListener('progress', handle('progress'));
    source.addEventListener('status', handle('status'));
    source.onopen = () => setStream('open');
    source.onerror = () => setStream(source.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting');
    return () => source.close();
  }, [stackId, versionId, client]);

  return { progress, stream };
}
