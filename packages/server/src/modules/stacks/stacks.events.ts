// A version's deploy as Server-Sent Events: the progress kept so far (so a client that connects
// mid-deploy sees it from the start, or after its Last-Event-ID), then live progress, then a final
// status event once the version's outcome committed; the stream ends there.
import { PassThrough, type Readable } from 'node:stream';
import type { StackVersionStatus } from '@capstan/protocol';
import { notFound } from '../../errors.ts';
import type { RequestContext } from '../../http/context.ts';
import { redactSecrets } from '../commands/commands.policy.ts';
import type { CommandProgressBus, ProgressEntry } from '../commands/commands.progress.ts';
import { loadStack, type StacksDeps } from './stacks.service.ts';
import { secretValues } from './stacks.policy.ts';
import { presentVersionSummary } from './stacks.present.ts';
import type { StackRow, VersionRow } from './stacks.repository.ts';

const FINAL: readonly StackVersionStatus[] = ['deployed', 'failed', 'rolled_back', 'superseded'];

/** Serves version event streams. */
export class StackEvents {
  readonly #d: StacksDeps;
  readonly #bus: CommandProgressBus;
  readonly #heartbeatMs: number;
  /** Closers of the streams open now. */
  readonly #open = new Set<() => void>();

  constructor(deps: StacksDeps, bus: CommandProgressBus, heartbeatMs = 15_000) {
    this.#d = deps;
    this.#bus = bus;
    this.#heartbeatMs = heartbeatMs;
  }

  /** The event stream of one version (`lastEventId`: progress already seen by a reconnecting client). */
  async open(ctx: RequestContext, id: number, versionId: number, lastEventId: number | null): Promise<Readable> {
    const d = this.#d;
    const stack = await loadStack(d, ctx, id, 'stacks.read');
    const first = await d.repo.version(id, versionId);
    if (!first) throw notFound('stack version', versionId);
    const secrets = secretValues(d.content.openVariables(Number(stack.environmentId), stack.projectName, first.variables));
    const out = new PassThrough();
    let ended = false;
    const write = (text: string): void => {
      if (!ended) out.write(text);
    };
    const progress = (e: ProgressEntry): void => {
      if (lastEventId === null || e.id > lastEventId) write(`id: ${e.id}\nevent: progress\ndata: ${JSON.stringify(redactSecrets({ at: e.at, ...e.event }, secrets))}\n\n`);
    };
    const status = (row: VersionRow, final: boolean): void => write(`event: status\ndata: ${JSON.stringify({ ...presentVersionSummary(row), final })}\n\n`);

    let unsubscribe = (): void => undefined;
    const heartbeat = setInterval(() => write(': keep-alive\n\n'), this.#heartbeatMs);
    heartbeat.unref();
    const close = (): void => {
      if (ended) return;
      ended = true;
      this.#open.delete(close);
      clearInterval(heartbeat);
      unsubscribe();
      out.end();
    };
    this.#open.add(close);
    out.on('close', close);
    const finish = async (): Promise<void> => {
      const last = await this.#current(stack, versionId).catch(() => null);
      if (last) status(last, FINAL.includes(last.status));
      close();
    };

    write('retry: 3000\n\n');
    const commandId = first.commandId;
    if (commandId === null) {
      // Adopted: nothing ran, nothing will.
      status(first, true);
      close();
      return out;
    }
    const environmentId = Number(stack.environmentId);
    // Subscribe first, then look at the outcome: an end committed in between is seen by one or the other.
    const sub = this.#bus.subscribe(environmentId, commandId, { event: progress, end: () => void finish() });
    unsubscribe = () => sub.unsubscribe();
    for (const e of sub.history) progress(e);
    const now = await this.#current(stack, versionId);
    if (sub.finished || !now || FINAL.includes(now.status)) void finish();
    else status(now, false);
    return out;
  }

  /** Ends every open stream (server shutdown); clients reconnect with Last-Event-ID. */
  closeAll(): void {
    for (const close of [...this.#open]) close();
  }

  async #current(stack: StackRow, versionId: number): Promise<VersionRow | undefined> {
    return this.#d.repo.version(Number(stack.id), versionId);
  }
}
