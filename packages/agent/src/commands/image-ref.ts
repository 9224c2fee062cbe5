// Image pulls: splitting a reference the way POST /images/create wants it, reading its progress stream.

/**
 * `fromImage` and `tag` for an image reference. A missing tag means `latest`: an empty tag would
 * make the engine pull every tag of the repository. A digest reference is passed whole.
 */
export function splitImageReference(ref: string): { fromImage: string; tag: string } {
  if (ref.includes('@')) return { fromImage: ref, tag: '' };
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  // A colon before the last slash is a registry port (registry:5000/app), not a tag.
  if (colon > slash) return { fromImage: ref.slice(0, colon), tag: ref.slice(colon + 1) };
  return { fromImage: ref, tag: 'latest' };
}

/** Reads the JSON lines of a pull's progress stream: the last status, and the first error if any. */
export class PullProgress {
  lastStatus: string | null = null;
  error: string | null = null;
  #rest = '';

  /** Feeds a piece of the stream (lines may be split anywhere). */
  push(text: string): void {
    const lines = (this.#rest + text).split('\n');
    this.#rest = lines.pop() ?? '';
    for (const l of lines) this.#line(l);
    if (this.#rest.length > 1024 * 1024) this.#rest = ''; // a runaway line: progress only, drop it
  }

  /** The stream ended: reads a last line without a newline. */
  end(): void {
    this.#line(this.#rest);
    this.#rest = '';
  }

  #line(text: string): void {
    if (!text.trim()) return;
    let msg: { status?: unknown; error?: unknown; errorDetail?: { message?: unknown } };
    try {
      msg = JSON.parse(text) as typeof msg;
    } catch {
      return; // a line that is not JSON carries no verdict
    }
    const detail = msg.errorDetail?.message;
    if (typeof msg.error === 'string') this.error ??= msg.error.slice(0, 4000);
    else if (msg.errorDetail) this.error ??= typeof detail === 'string' ? detail.slice(0, 4000) : 'pull failed';
    else if (typeof msg.status === 'string') this.lastStatus = msg.status.slice(0, 1000);
  }
}
