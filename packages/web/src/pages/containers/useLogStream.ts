// Follows a container's log over its WebSocket into a bounded in-memory buffer. Renders are
// batched to one per animation frame, whatever the message rate.
import { LogChunkMessageSchema } from '@capstan/protocol';
import { useCallback, useEffect, useRef, useState } from 'react';
import { LogAssembler, RingBuffer, type LogLine } from './log-buffer.ts';
import { liveSocketUrl } from './live-url.ts';
import { openJsonStream, type LiveOutcome } from './live-socket.ts';

/** Lines kept in memory; older ones drop off (the download holds the same lines). */
export const MAX_LOG_LINES = 5_000;
/** History asked for on connect. */
const TAIL = 500;
/** A line without its newline (a prompt, a progress bar) is shown after this much quiet. */
const PARTIAL_LINE_MS = 300;

/** The log stream's state: the buffered lines, whether it is live, and how it ended. */
export function useLogStream(environmentId: number, containerId: string) {
  const buffer = useRef(new RingBuffer<LogLine>(MAX_LOG_LINES));
  const [lines, setLines] = useState<LogLine[]>([]);
  const [state, setState] = useState<'connecting' | 'live' | 'done'>('connecting');
  const [outcome, setOutcome] = useState<LiveOutcome | null>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    const ring = buffer.current;
    ring.clear(); // a reconnect asks for the tail again: start over rather than show it twice
    setLines([]);
    setState('connecting');
    setOutcome(null);
    const assembler = new LogAssembler(true);
    let frame = 0;
    let partialTimer: ReturnType<typeof setTimeout> | undefined;
    const render = (): void => {
      if (frame === 0) frame = requestAnimationFrame(() => ((frame = 0), setLines(ring.toArray())));
    };
    const add = (added: LogLine[]): void => {
      for (const l of added) ring.push(l);
      if (added.length > 0) render();
    };
    const url = liveSocketUrl(window.location, environmentId, containerId, 'logs', { tail: TAIL, timestamps: true });
    const close = openJsonStream(
      url,
      (value) => {
        const chunk = LogChunkMessageSchema.safeParse(value);
        if (!chunk.success) return;
        add(assembler.push(chunk.data.stream, chunk.data.data));
        clearTimeout(partialTimer);
        if (assembler.pending) partialTimer = setTimeout(() => add(assembler.flush()), PARTIAL_LINE_MS);
      },
      (done) => {
        clearTimeout(partialTimer);
        add(assembler.flush());
        setOutcome(done);
        setState('done');
      },
      () => setState('live'),
    );
    return () => {
      clearTimeout(partialTimer);
      cancelAnimationFrame(frame);
      close();
    };
  }, [environmentId, containerId, attempt]);

  const reconnect = useCallback(() => setAttempt((n) => n + 1), []);
  return { lines, state, outcome, reconnect, dropped: buffer.current.dropped };
}
