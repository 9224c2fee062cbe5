// Follows a container's stats WebSocket: the last minute of samples, and how the stream ended.
import { StatsSampleSchema, type StatsSample } from '@capstan/protocol';
import { useCallback, useEffect, useState } from 'react';
import { liveSocketUrl } from './live-url.ts';
import { openJsonStream, type LiveOutcome } from './live-socket.ts';
import { appendSample } from './stats-series.ts';

/** The samples so far (newest last), the stream's state, and `reconnect()`. */
export function useStatsStream(environmentId: number, containerId: string) {
  const [samples, setSamples] = useState<StatsSample[]>([]);
  const [state, setState] = useState<'connecting' | 'live' | 'done'>('connecting');
  const [outcome, setOutcome] = useState<LiveOutcome | null>(null);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    setSamples([]);
    setState('connecting');
    setOutcome(null);
    const url = liveSocketUrl(window.location, environmentId, containerId, 'stats');
    return openJsonStream(
      url,
      (value) => {
        const sample = StatsSampleSchema.safeParse(value);
        if (sample.success) setSamples((list) => appendSample(list, sample.data));
      },
      (done) => {
        setOutcome(done);
        setState('done');
      },
      () => setState('live'),
    );
  }, [environmentId, containerId, attempt]);
  const reconnect = useCallback(() => setAttempt((n) => n + 1), []);
  return { samples, state, outcome, reconnect };
}
