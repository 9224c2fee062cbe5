// Following a version's deploy: its event stream, reconnected with Last-Event-ID when the
// connection drops, printed as compact lines until the final status.
import { setTimeout as sleep } from 'node:timers/promises';
import { StackVersionSchema, type StackVersionSummary } from '@capstan/protocol';
import type { CommandContext } from '../context.ts';
import { ApiError, CliError } from '../errors.ts';
import { callApi, streamApi } from '../http-client.ts';
import { formatJson } from '../output.ts';
import type { Target } from '../target.ts';
import { EventDataError, finalText, ProgressView, readVersionEvent, SseParser, type VersionStatusEvent } from './stack-events.ts';

/** Connections in a row that may end without a single event before following gives up. */
const MAX_FRUITLESS_CONNECTIONS = 5;
const DEFAULT_RETRY_MS = 3000;

/**
 * Reads the version's events until its final status, handing each printed line to `print`;
 * answers that final status. Reconnects after a cut connection, resuming after the last event.
 */
export async function followVersion(
  target: Target,
  stackId: number,
  versionId: number,
  print: (text: string) => void,
): Promise<VersionStatusEvent> {
  const view = new ProgressView();
  const path = `/api/stacks/${stackId}/versions/${versionId}/events`;
  let lastId: string | null = null;
  let retryMs = DEFAULT_RETRY_MS;
  let fruitless = 0;
  for (;;) {
    const parser = new SseParser();
    let final: VersionStatusEvent | null = null;
    let events = 0;
    const onText = (text: string): void => {
      for (const e of parser.push(text)) {
        events++;
        const event = readVersionEvent(e);
        if (event === null) continue;
        print(view.render(event));
        if (event.kind === 'status' && event.status.final) final = event.status;
      }
    };
    let failure: CliError | null = null;
    try {
      await streamApi(target, path, lastId === null ? {} : { 'last-event-id': lastId }, onText);
    } catch (err) {
      // Refusals (gone, forbidden) and unreadable events end the follow; a cut connection does not.
      if (err instanceof ApiError || err instanceof EventDataError || !(err instanceof CliError)) throw err;
      failure = err;
    }
    if (final !== null) return final;
    lastId = parser.lastEventId ?? lastId;
    retryMs = parser.retryMs ?? retryMs;
    fruitless = events > 0 ? 0 : fruitless + 1;
    if (fruitless >= MAX_FRUITLESS_CONNECTIONS) {
      throw failure ?? new CliError('the event stream kept ending before the deploy finished');
    }
    await sleep(retryMs);
  }
}

/**
 * Follows a queued version to its end, printing progress (to stderr under --json, where stdout
 * gets the final version's JSON). Returns when it deployed; throws CliError naming the status and
 * reason otherwise (exit code 1).
 */
export async function followAndReport(
  ctx: CommandContext,
  target: Target,
  stackId: number,
  version: Pick<StackVersionSummary, 'id' | 'number'>,
): Promise<void> {
  const print = (text: string): void => {
    if (text === '') return;
    if (ctx.global.json) ctx.err(text);
    else ctx.out(text);
  };
  print(`following version ${version.number} of stack ${stackId} (Ctrl-C stops following, not the deploy)\n`);
  const final = await followVersion(target, stackId, version.id, print);
  if (ctx.global.json) {
    const { raw } = await callApi(
      target,
      { method: 'GET', path: `/api/stacks/${stackId}/versions/${version.id}` },
      StackVersionSchema,
    );
    ctx.out(formatJson(raw));
  }
  if (final.status !== 'deployed') throw new CliError(finalText(final));
  print(`${finalText(final)}\n`);
}
