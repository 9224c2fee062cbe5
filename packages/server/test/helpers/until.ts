// Waiting for something real to happen (an agent to connect, a command to finish, a log line to
// arrive) by polling it: integration tests assert outcomes, never how fast they came.

/**
 * Polls `check` every `everyMs` until it answers something truthy and answers that; rejects naming
 * `what` once `ms` have passed without it.
 */
export async function until<T>(what: string, ms: number, check: () => T | false | undefined | null | Promise<T | false | undefined | null>, everyMs = 100): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
