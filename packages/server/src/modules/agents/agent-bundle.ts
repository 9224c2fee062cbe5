// The bundled agent file that join commands download (GET /api/agents/capstan-agent.js) and whose
// SHA-256 they embed. Read from disk on first use and again whenever the file changes (size, mtime or
// inode), so `npm run build:agent` on a running server takes effect without a restart.
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { AppError } from '../../errors.ts';

/** One version of the bundle: its bytes and their SHA-256 in hex. */
export interface BundleVersion {
  data: Buffer;
  sha256: string;
}

/** Name of the file on hosts and in the download URL. */
export const AGENT_BUNDLE_NAME = 'capstan-agent.js';

/** The agent bundle at a configured path (null: none configured); caches the current version by file identity. */
export class AgentBundle {
  readonly file: string | null;
  private cached: { key: string; version: BundleVersion } | null = null;

  constructor(file: string | null) {
    this.file = file;
  }

  /** The current bundle, or null when the file is missing (or none is configured). */
  async current(): Promise<BundleVersion | null> {
    if (!this.file) return null;
    let key: string;
    try {
      const s = await stat(this.file);
      if (!s.isFile()) return null;
      key = `${s.ino}:${s.size}:${s.mtimeMs}`;
    } catch {
      return null;
    }
    if (this.cached?.key === key) return this.cached.version;
    let data: Buffer;
    try {
      data = await readFile(this.file);
    } catch {
      return null;
    }
    const version = { data, sha256: createHash('sha256').update(data).digest('hex') };
    this.cached = { key, version };
    return version;
  }

  /** The current bundle; throws agent_bundle_missing (503) saying how to build it. */
  async require(): Promise<BundleVersion> {
    const version = await this.current();
    if (version) return version;
    throw new AppError(
      'agent_bundle_missing',
      `the agent bundle ${this.file ?? '(none configured)'} does not exist: run "npm run build:agent" on the server (or start it with --agent-bundle <file>), then create a new join token`,
    );
  }
}
