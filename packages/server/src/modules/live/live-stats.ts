// Container stats: the engine's stats stream (one JSON object per line, about one a second)
// becomes one computed sample per object; {type:'end'} when the engine ends the stream.
import { LineSplitter } from './docker-stream.ts';
import { inspectContainer } from './engine-calls.ts';
import { followedSession } from './followed.ts';
import type { FeatureDeps, LiveSession, LiveTarget } from './live.types.ts';
import { DockerStatsSchema, statsSample } from './stats-sample.ts';
import { json } from './ws-relay.ts';

/** One stats object is a few KiB; anything far larger is not a stats stream. */
const MAX_LINE_BYTES = 1024 * 1024;
/** The engine samples every second; a faster source is thinned (without dropping jittered one-second samples). */
const MIN_PERIOD_MS = 500;

/** Opens the engine's stats stream; throws AppError (404 container, 503 offline…) before any upgrade. */
export async function prepareStats(deps: FeatureDeps, target: LiveTarget): Promise<LiveSession> {
  const container = await inspectContainer(deps.tunnel, target.environmentId, target.containerId);
  return followedSession(deps, target, `/containers/${encodeURIComponent(container.id)}/stats?stream=1`, () => {
    const lines = new LineSplitter(MAX_LINE_BYTES);
    let last = 0;
    return {
      transform: (chunk) => {
        const out: string[] = [];
        for (const line of lines.push(chunk)) {
          if (line.trim() === '') continue;
          const parsed = DockerStatsSchema.safeParse(JSON.parse(line));
          if (!parsed.success) throw new Error(`unexpected stats object: ${parsed.error.issues[0]?.message ?? ''}`);
          const now = Date.now();
          if (now - last < MIN_PERIOD_MS) continue;
          last = now;
          out.push(json(statsSample(parsed.data, new Date(now))));
        }
        return out;
      },
      finish: () => [json({ type: 'end' })],
    };
  });
}
