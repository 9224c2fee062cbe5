// The agent's answer to a stream the server opened: its response head (the engine's status and
// headers), or the refusal or reset that took its place.
import type { HttpResponseHead } from '@capstan/protocol';
import { AppError } from '../../errors.ts';
import type { TunnelStream } from './tunnel-stream.ts';

/** Waits for the agent's response head; AppError (agent_upstream_error) when it refused or reset. */
export function awaitHead(stream: TunnelStream, environmentId: number): Promise<HttpResponseHead> {
  return new Promise((resolve, reject) => {
    const onAck = (head: HttpResponseHead) => {
      cleanup();
      resolve(head);
    };
    const onFail = (code: string, message: string) => {
      cleanup();
      reject(new AppError('agent_upstream_error', `environment ${environmentId}: the agent could not serve the call (${code}${message ? `: ${message}` : ''})`, { reason: code }));
    };
    const cleanup = () => {
      stream.off('accepted', onAck);
      stream.off('rejected', onFail);
      stream.off('reset', onFail);
    };
    stream.on('accepted', onAck);
    stream.on('rejected', onFail);
    stream.on('reset', onFail);
  });
}

/** Like awaitHead, but a failure first cancels the stream (nobody will read it) and then rejects. */
export async function awaitHeadOrCancel(stream: TunnelStream, environmentId: number): Promise<HttpResponseHead> {
  try {
    return await awaitHead(stream, environmentId);
  } catch (err) {
    stream.reset('cancelled');
    throw err;
  }
}
