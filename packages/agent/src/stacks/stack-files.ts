// A stack's files in the agent's state directory: its working directory (relative bind sources
// resolve against it), its secret and config files (bind-mounted read-only into containers), and
// the last target it accepted (re-enforced by the Async mode while the server is unreachable).
import { chmodSync, closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { HealthGateSchema, StackTargetSchema, type ComposeProject } from '@capstan/protocol';
import * as z from 'zod/mini';

/** Where one project's files live. */
export interface StackPaths {
  readonly root: string;
  readonly workingDir: string;
  readonly secrets: string;
  readonly configs: string;
  readonly lastTarget: string;
}

/** Paths of project `project` under `<stateDir>/stacks/`. */
export function stackPaths(stateDir: string, project: string): StackPaths {
  // Project names are [a-z0-9_-] (the model checks); never let one climb out of the folder.
  const root = path.join(stateDir, 'stacks', project.replace(/[^a-z0-9_-]/g, '_'));
  return {
    root,
    workingDir: path.join(root, 'work'),
    secrets: path.join(root, 'secrets'),
    configs: path.join(root, 'configs'),
    lastTarget: path.join(root, 'target.json'),
  };
}

/** Writes `data` to `file` atomically (temp file, fsync, rename) with `mode`. */
function writeAtomic(file: string, data: Buffer | string, mode: number): void {
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w', mode);
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  chmodSync(tmp, mode);
  renameSync(tmp, file);
}

function sameContent(file: string, data: Buffer): boolean {
  try {
    return readFileSync(file).equals(data);
  } catch {
    return false;
  }
}

/** Host files of a project's secrets and configs, by kind, key and file mode. */
export interface FileMounts {
  /** Host path of the file for `source` with `mode` (null: 0400); written by prepareStackFiles. */
  path(kind: 'secret' | 'config', source: string, mode: number | null): string;
}

const fileName = (source: string, mode: number | null): string => {
  const safe = source.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_');
  return mode === null || mode === 0o400 ? safe : `${safe}.${mode.toString(8)}`;
};

/**
 * Creates the working directory and writes every secret and config file the services mount (mode
 * as the service asks, 0400 by default). A file already holding the same bytes is left alone, so
 * the inode a running container has bound stays the one on disk.
 */
export function prepareStackFiles(paths: StackPaths, project: ComposeProject): FileMounts {
  mkdirSync(paths.workingDir, { recursive: true, mode: 0o700 });
  const mounts: FileMounts = {
    path: (kind, source, mode) => path.join(kind === 'secret' ? paths.secrets : paths.configs, fileName(source, mode)),
  };
  for (const service of Object.values(project.services)) {
    for (const [kind, list, files] of [
      ['secret', service.secrets, project.secrets],
      ['config', service.configs, project.configs],
    ] as const) {
      for (const m of list) {
        const content = files[m.source];
        if (!content) throw new Error(`service ${service.name} mounts ${kind} "${m.source}" that the project does not define`);
        const data = Buffer.from(content.contentBase64, 'base64');
        const file = mounts.path(kind, m.source, m.mode);
        mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
        if (!sameContent(file, data)) writeAtomic(file, data, m.mode ?? 0o400);
      }
    }
  }
  return mounts;
}

/** What the agent keeps of the last deploy it accepted for a stack (never registry credentials). */
export const LastTargetSchema = z.object({
  target: StackTargetSchema,
  pull: z.enum(['always', 'missing']),
  health: HealthGateSchema,
  acceptedAt: z.string(),
});
export type LastTarget = z.infer<typeof LastTargetSchema>;

/** Saves the last accepted target of the project (0600, atomic). */
export function saveLastTarget(paths: StackPaths, record: LastTarget): void {
  mkdirSync(paths.root, { recursive: true, mode: 0o700 });
  writeAtomic(paths.lastTarget, JSON.stringify(record), 0o600);
}

/** Reads the last accepted target, or null when there is none or it is not a valid record. */
export function loadLastTarget(paths: StackPaths): LastTarget | null {
  try {
    const parsed = LastTargetSchema.safeParse(JSON.parse(readFileSync(paths.lastTarget, 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** The last accepted target of every stack in the state directory (unreadable ones left out). */
export function loadAllLastTargets(stateDir: string): LastTarget[] {
  let names: string[];
  try {
    names = readdirSync(path.join(stateDir, 'stacks')).sort();
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const record = loadLastTarget(stackPaths(stateDir, name));
    return record ? [record] : [];
  });
}

/** Forgets a removed stack: its target, secrets and configs; its working directory too when asked. */
export function removeStackFiles(paths: StackPaths, everything: boolean): void {
  if (everything) {
    rmSync(paths.root, { recursive: true, force: true });
    return;
  }
  for (const p of [paths.lastTarget, paths.secrets, paths.configs]) rmSync(p, { recursive: true, force: true });
}
