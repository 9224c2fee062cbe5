// The shared shape of logs and stats: one long engine GET whose answer is relayed, transformed,
// to the browser until the engine ends it or either side goes away.
import { containerError, openEngineCall } from './engine-calls.ts';
import { streamFailure, type FeatureDeps, type LiveSession, type LiveTarget } from './live.types.ts';
import { failSocket, relayStream, watchEarlyReset, type RelayOptions } from './ws-relay.ts';

/**
 * Opens `path` on the engine and waits for its 200 head (AppError otherwise, before any upgrade);
 * the session relays it with the transform `relay()` builds once the browser is attached.
 */
export async function followedSession(deps: FeatureDeps, target: LiveTarget, path: string, relay: () => Pick<RelayOptions, 'transform' | 'finish'>): Promise<LiveSession> {
  const { environmentId } = target;
  const { stream, head } = await openEngineCall(deps.tunnel, environmentId, 'GET', path);
  if (head.status !== 200) {
    stream.reset('cancelled');
    throw containerError(head.status, undefined, environmentId, target.containerId);
  }
  const early = watchEarlyReset(stream);
  const failure = (code: string, message: string) => streamFailure(deps.tunnel, environmentId, code, message);
  return {
    abort: () => {
      early.release();
      stream.reset('cancelled', 'the browser went away');
    },
    attach: (ws) => {
      const reset = early.release();
      if (reset) {
        const f = failure(reset.code, reset.message);
        failSocket(ws, f.code, f.message);
        return;
      }
      relayStream(ws, stream, { ...relay(), failure });
    },
  };
}
