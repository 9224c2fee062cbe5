// A version's deploy as the stack page shows it, folded from its event stream: the steps in
// order with their state, image pulls with their layers' progress, the health gate per container,
// the agent's messages, and the version's status (final once the outcome committed). Pure.
import { CommandProgressEventSchema, StackVersionSummarySchema, type CommandProgressEvent, type StackVersionSummary } from '@capstan/protocol';
import { z } from 'zod';
import { safeParse } from 'zod/v4/core';

/** A status event: the version's summary and whether it is the last word. */
export type VersionStatusEvent = StackVersionSummary & { final: boolean };

/** One event of the stream, parsed. */
export type ProgressInput = { kind: 'progress'; at: string; event: CommandProgressEvent } | { kind: 'status'; version: VersionStatusEvent };

/** A line of the timeline: a step, or a message of the agent. */
export type TimelineEntry =
  | { kind: 'step'; name: string; status: 'started' | 'done' | 'failed'; detail: string | null; at: string }
  | { kind: 'message'; level: 'info' | 'warn' | 'error'; text: string; at: string };

/** One layer of an image pull. */
export interface LayerState {
  status: string;
  current: number | null;
  total: number | null;
}

/** An image pull: its layers and the last thing the engine said. */
export interface PullState {
  image: string;
  status: string;
  layers: Record<string, LayerState>;
}

/** A container watched by the health gate. */
export interface HealthState {
  service: string;
  container: string;
  status: string;
  at: string;
}

export interface ProgressState {
  timeline: TimelineEntry[];
  pulls: PullState[];
  health: HealthState[];
  version: VersionStatusEvent | null;
}

/** Nothing seen yet. */
export const EMPTY_PROGRESS: ProgressState = { timeline: [], pulls: [], health: [], version: null };

const StatusEventSchema = StackVersionSummarySchema.extend({ final: z.boolean() });
const AtSchema = z.object({ at: z.string() });

/** Parses one SSE message (`event` name and `data` text); null when it is not one we know. */
export function parseProgressMessage(eventName: string, data: string): ProgressInput | null {
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return null;
  }
  if (eventName === 'status') {
    const parsed = StatusEventSchema.safeParse(json);
    return parsed.success ? { kind: 'status', version: parsed.data } : null;
  }
  if (eventName !== 'progress') return null;
  const at = AtSchema.safeParse(json);
  const event = safeParse(CommandProgressEventSchema, json);
  return at.success && event.success ? { kind: 'progress', at: at.data.at, event: event.data } : null;
}

function onStep(timeline: TimelineEntry[], e: Extract<CommandProgressEvent, { type: 'step' }>, at: string): TimelineEntry[] {
  const entry: TimelineEntry = { kind: 'step', name: e.step, status: e.status, detail: e.detail ?? null, at };
  if (e.status === 'started') return [...timeline, entry];
  // A step ends the last started entry of that name (a rollback may run a step of the same name again).
  const index = timeline.findLastIndex((t) => t.kind === 'step' && t.name === e.step && t.status === 'started');
  if (index < 0) return [...timeline, entry];
  return timeline.map((t, i) => (i === index ? entry : t));
}

function onPull(pulls: PullState[], e: Extract<CommandProgressEvent, { type: 'pull' }>): PullState[] {
  const old = pulls.find((p) => p.image === e.image) ?? { image: e.image, status: '', layers: {} };
  const layers = e.layer === undefined ? old.layers : { ...old.layers, [e.layer]: { status: e.status, current: e.current ?? null, total: e.total ?? old.layers[e.layer]?.total ?? null } };
  const next: PullState = { image: e.image, status: e.layer === undefined ? e.status : old.status || e.status, layers };
  return pulls.some((p) => p.image === e.image) ? pulls.map((p) => (p.image === e.image ? next : p)) : [...pulls, next];
}

function onHealth(health: HealthState[], e: Extract<CommandProgressEvent, { type: 'health' }>, at: string): HealthState[] {
  const container = e.detail ?? e.service;
  const next: HealthState = { service: e.service, container, status: e.status, at };
  return health.some((h) => h.container === container) ? health.map((h) => (h.container === container ? next : h)) : [...health, next];
}

/** The state after one more event. */
export function reduceProgress(state: ProgressState, input: ProgressInput): ProgressState {
  if (input.kind === 'status') return { ...state, version: input.version };
  const { event: e, at } = input;
  switch (e.type) {
    case 'step':
      return { ...state, timeline: onStep(state.timeline, e, at) };
    case 'pull':
      return { ...state, pulls: onPull(state.pulls, e) };
    case 'health':
      return { ...state, health: onHealth(state.health, e, at) };
    case 'message':
      return { ...state, timeline: [...state.timeline, { kind: 'message', level: e.level, text: e.text, at }] };
  }
}

const DONE_LAYER = /^(pull complete|already exists)/i;

/** How far a pull is, 0–100: finished layers count whole, downloading ones by bytes; null before any layer is known. */
export function pullPercent(pull: PullState): number | null {
  const layers = Object.values(pull.layers);
  if (/^(status:|digest:)/i.test(pull.status)) return 100;
  if (layers.length === 0) return null;
  const sum = layers.reduce((acc, l) => {
    if (DONE_LAYER.test(l.status)) return acc + 1;
    if (/^download complete|^extracting|^verifying/i.test(l.status)) return acc + 0.9;
    if (l.total && l.current !== null && /^downloading/i.test(l.status)) return acc + 0.9 * Math.min(1, l.current / l.total);
    return acc;
  }, 0);
  return Math.round((sum / layers.length) * 100);
}
