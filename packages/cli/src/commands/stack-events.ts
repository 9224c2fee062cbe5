// A version's deploy as it happens: a text/event-stream parser and the compact lines printed for
// its events. Pure: the connection that feeds them is stack-follow.ts.
import {
  CommandProgressEventSchema,
  StackVersionSummarySchema,
  type CommandProgressEvent,
  type StackVersionSummary,
} from '@capstan/protocol';
import { z } from 'zod';
import { CliError } from '../errors.ts';
import { printable } from '../output.ts';
import { shortDigests } from './stack-plan-view.ts';

/** The stream carried something this client cannot read: following again would not help. */
export class EventDataError extends CliError {}

/** One dispatched Server-Sent Event. */
export interface SseEvent {
  /** The `event:` field, `message` when none was given. */
  event: string;
  data: string;
  /** The last `id:` seen so far (it carries over to later events), or null. */
  id: string | null;
}

/** A line longer than this without an end is not an event stream we can follow. */
const MAX_PENDING_CHARS = 1024 * 1024;

/** Incremental text/event-stream parser (WHATWG rules: CR, LF or CRLF line ends, comments, multi-line data, id, retry). */
export class SseParser {
  #pending = '';
  #started = false;
  #event = '';
  #data: string[] = [];
  #id: string | null = null;
  /** The reconnection delay the server asked for (`retry:`), or null. */
  retryMs: number | null = null;

  /** The last event id seen (for Last-Event-ID on reconnect), or null. */
  get lastEventId(): string | null {
    return this.#id;
  }

  /** Feeds a chunk of the stream; answers the events it completed, in order. */
  push(text: string): SseEvent[] {
    let buffer = this.#pending + text;
    if (!this.#started && buffer.length > 0) {
      this.#started = true;
      if (buffer.startsWith('\uFEFF')) buffer = buffer.slice(1);
    }
    const out: SseEvent[] = [];
    let start = 0;
    for (let i = 0; i < buffer.length; i++) {
      const ch = buffer[i];
      if (ch !== '\n' && ch !== '\r') continue;
      // A CR at the very end may be the first half of a CRLF split across chunks: wait for more.
      if (ch === '\r' && i === buffer.length - 1) break;
      const event = this.#line(buffer.slice(start, i));
      if (event) out.push(event);
      if (ch === '\r' && buffer[i + 1] === '\n') i++;
      start = i + 1;
    }
    this.#pending = buffer.slice(start);
    if (this.#pending.length > MAX_PENDING_CHARS) {
      throw new EventDataError('the server sent an event line over 1 MiB: is this a Capstan event stream?');
    }
    return out;
  }

  /** Handles one line; answers the event a blank line completes. */
  #line(line: string): SseEvent | null {
    if (line === '') {
      const data = this.#data;
      const event = this.#event;
      this.#data = [];
      this.#event = '';
      if (data.length === 0) return null;
      return { event: event === '' ? 'message' : event, data: data.join('\n'), id: this.#id };
    }
    if (line.startsWith(':')) return null;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.#event = value;
    else if (field === 'data') this.#data.push(value);
    else if (field === 'id' && !value.includes('\0')) this.#id = value;
    else if (field === 'retry' && /^\d+$/.test(value)) this.retryMs = Number(value);
    return null;
  }
}

/** The `status` event's data: the version summary, `final` on the stream's last event. */
export const VersionStatusEventSchema = StackVersionSummarySchema.extend({ final: z.boolean() });
export type VersionStatusEvent = z.infer<typeof VersionStatusEventSchema>;

/** A parsed event of a version stream, or null for kinds this client does not know (newer servers). */
export type VersionStreamEvent =
  | { kind: 'progress'; progress: CommandProgressEvent }
  | { kind: 'status'; status: VersionStatusEvent };

/** Reads one SSE event of a version stream; CliError when a known kind carries data we cannot read. */
export function readVersionEvent(e: SseEvent): VersionStreamEvent | null {
  if (e.event !== 'progress' && e.event !== 'status') return null;
  let json: unknown;
  try {
    json = JSON.parse(e.data);
  } catch {
    throw new EventDataError(`the server sent a ${e.event} event that is not JSON`);
  }
  if (e.event === 'progress') {
    // A progress kind added by a newer agent is skipped rather than ending the follow.
    const parsed = z.safeParse(CommandProgressEventSchema, json);
    return parsed.success ? { kind: 'progress', progress: parsed.data } : null;
  }
  const parsed = VersionStatusEventSchema.safeParse(json);
  if (!parsed.success) {
    throw new EventDataError('unreadable status event: are the client and server versions the same?');
  }
  return { kind: 'status', status: parsed.data };
}

/** How far one image's pull has come; only moves forward, so interleaved layers print each stage once. */
const PULL_STAGES = ['pulling', 'downloading', 'extracting', 'done'] as const;
type PullStage = (typeof PULL_STAGES)[number];

interface PullState {
  stage: PullStage;
  /** layer id → largest total bytes reported while downloading. */
  layerBytes: Map<string, number>;
  layers: Set<string>;
}

const MB = 1024 * 1024;

/** Bytes as `12.3 MB` (or kB below a megabyte). */
export function formatBytes(n: number): string {
  return n >= MB ? `${(n / MB).toFixed(1)} MB` : `${Math.max(1, Math.round(n / 1024))} kB`;
}

/** The stage a pull event moves its image to, and the final words when it ends. */
function pullStage(status: string): { stage: PullStage; final?: string } | null {
  if (status.startsWith('Status: Downloaded newer image')) return { stage: 'done', final: 'downloaded newer image' };
  if (status.startsWith('Status: Image is up to date')) return { stage: 'done', final: 'image is up to date' };
  if (status === 'Downloading') return { stage: 'downloading' };
  if (status === 'Extracting') return { stage: 'extracting' };
  return null;
}

/**
 * Turns a version's events into the lines printed while following a deploy: one line when a step
 * starts (and one more if it fails), a few lines per pulled image (downloading, extracting, the
 * result), health changes and agent messages, and version status changes before the final one.
 */
export class ProgressView {
  readonly #pulls = new Map<string, PullState>();
  #status: string | null = null;

  /** Lines (each ending with a newline) for one event; '' when it adds nothing worth a line. */
  render(e: VersionStreamEvent): string {
    if (e.kind === 'status') return this.#statusLine(e.status);
    const p = e.progress;
    switch (p.type) {
      case 'step':
        if (p.status === 'started') return line(`  ${p.step}`);
        if (p.status === 'failed') return line(`  failed: ${p.step}${p.detail === undefined ? '' : `: ${p.detail}`}`);
        return '';
      case 'pull':
        return this.#pull(p);
      case 'health':
        return line(`  health ${p.service}${p.detail === undefined ? '' : ` (${p.detail})`}: ${p.status}`);
      case 'message':
        return line(`  ${p.level}: ${p.text}`);
    }
  }

  #statusLine(s: VersionStatusEvent): string {
    if (s.final || s.status === this.#status) return '';
    this.#status = s.status;
    return line(`version ${s.number}: ${s.status}`);
  }

  #pull(p: Extract<CommandProgressEvent, { type: 'pull' }>): string {
    let state = this.#pulls.get(p.image);
    if (!state) {
      state = { stage: 'pulling', layerBytes: new Map(), layers: new Set() };
      this.#pulls.set(p.image, state);
    }
    // Layer events carry the layer id; the image's own lines (Digest:, Status:) carry none or the tag.
    const isLayer = p.layer !== undefined && /^[0-9a-f]{12,}$/.test(p.layer);
    if (isLayer && p.layer !== undefined) {
      state.layers.add(p.layer);
      if (p.status === 'Downloading' && p.total !== undefined) {
        state.layerBytes.set(p.layer, Math.max(p.total, state.layerBytes.get(p.layer) ?? 0));
      }
    }
    const next = pullStage(p.status);
    if (next === null || PULL_STAGES.indexOf(next.stage) <= PULL_STAGES.indexOf(state.stage)) return '';
    state.stage = next.stage;
    const image = shortDigests(p.image);
    if (next.final === undefined) return line(`    ${image}: ${next.stage}`);
    const bytes = [...state.layerBytes.values()].reduce((a, b) => a + b, 0);
    const size = state.layers.size === 0 ? '' : ` (${plural(state.layers.size, 'layer')}${bytes > 0 ? `, ${formatBytes(bytes)} downloaded` : ''})`;
    return line(`    ${image}: ${next.final}${next.final === 'image is up to date' ? '' : size}`);
  }
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
const line = (text: string): string => `${printable(text)}\n`;

/** The final words for a version that ended: `deployed`, or the status with its reason. */
export function finalText(v: Pick<StackVersionSummary, 'number' | 'status' | 'reason'>): string {
  const status = v.status.replace('_', ' ');
  return `version ${v.number} ${status}${v.status === 'deployed' || v.reason === null ? '' : `: ${v.reason}`}`;
}
