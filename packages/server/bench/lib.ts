// Small helpers shared by the benchmark scripts: statistics, formatting, free ports, child-process IPC.
import type { ChildProcess } from 'node:child_process';
import net from 'node:net';

/** Percentile (0..100) of an ascending-sorted array; NaN when empty. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

/** Median of the values (any order); NaN when empty. */
export function median(values: readonly number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
}

/** Arithmetic mean; NaN when empty. */
export function mean(values: readonly number[]): number {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : Number.NaN;
}

/** Rounds to `digits` decimals (for the JSON line). */
export function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** Human formatting with a sensible number of decimals. */
export function fmt(n: number, digits?: number): string {
  if (!Number.isFinite(n)) return 'n/a';
  const d = digits ?? (Math.abs(n) >= 100 ? 0 : Math.abs(n) >= 10 ? 1 : 2);
  return n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
}

/** A plain-text table with a header row; columns after the first are right-aligned. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(headers), rule, ...rows.map(line)].join('\n');
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => (port ? resolve(port) : reject(new Error('could not find a free port'))));
    });
  });
}

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Writes one progress line to stderr, so stdout carries only the report. */
export const progress = (msg: string) => process.stderr.write(`» ${msg}\n`);

/** A thrown value as text: an Error's message (or its stack when `stack`), anything else stringified. */
export function errorText(err: unknown, stack = false): string {
  if (!(err instanceof Error)) return String(err);
  return stack ? (err.stack ?? err.message) : err.message;
}

/** In a forked child: runs `work` on the first IPC message, sends its result or `{ error }`, exits 0 or 1. */
export function answerOnce<In, Out>(work: (msg: In) => Promise<Out>, stack = false): void {
  process.once('message', (msg: In) => {
    work(msg).then(
      (result) => process.send?.(result, () => process.exit(0)),
      (err: unknown) => process.send?.({ error: errorText(err, stack) }, () => process.exit(1)),
    );
  });
}

/** Waits for a child's exit; resolves with its code (or null) when it exits, or `timeout` on timeout. */
export function waitExit(child: ChildProcess, timeoutMs: number): Promise<number | null | 'timeout'> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolve('timeout');
    }, timeoutMs);
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      resolve(code);
    };
    child.once('exit', onExit);
  });
}

/** The first IPC message of a forked child, or an error when it exits (or times out) first. */
export function firstMessage<T>(
  child: ChildProcess,
  what: string,
  timeoutMs: number,
  stderr: () => string,
): Promise<T> {
  return firstMessageWhere<T>(child, what, timeoutMs, () => true, stderr);
}

/** The first IPC message accepted by `accept` (or `{ error }`), or an error when the child exits or times out first. */
export function firstMessageWhere<T>(
  child: ChildProcess,
  what: string,
  timeoutMs: number,
  accept: (m: unknown) => boolean,
  stderr: () => string,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`${what}: no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (m: unknown) => {
      const msg = m as { error?: string };
      if (msg && typeof msg === 'object' && typeof msg.error === 'string') {
        cleanup();
        reject(new Error(`${what}: ${msg.error}`));
      } else if (accept(m)) {
        cleanup();
        resolve(m as T);
      }
    };
    const onExit = (code: number | null, signal: string | null) => {
      cleanup();
      reject(
        new Error(
          `${what}: exited (code ${code}, signal ${signal}) before answering${stderr() ? `:\n${stderr()}` : ''}`,
        ),
      );
    };
    const cleanup = () => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/** Keeps the last `max` characters written to a stream, for error messages. */
export function tail(max = 4000): { push(chunk: Buffer | string): void; text(): string } {
  let buf = '';
  return {
    push(chunk) {
      buf = (buf + chunk.toString()).slice(-max);
    },
    text: () => buf.trim(),
  };
}
