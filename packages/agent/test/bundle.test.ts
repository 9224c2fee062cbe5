// The bundled agent (packages/agent/scripts/bundle.ts): one self-contained file, no native module, built
// the same way twice, rebuilt when an input changes, and run by the host's system node (v20), not only
// by the repository's own Node.
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_NODE_OPTIONS } from '@capstan/protocol';
import { agentBundleIsCurrent, buildAgentBundle, ensureAgentBundle } from '../scripts/bundle.ts';

const SYSTEM_NODE = '/usr/bin/node';

function runNode(node: string, args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(node, args, { cwd, env: { PATH: '/usr/bin:/bin' }, timeout: 20_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: unknown }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('the agent bundle', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'capstan-agent-bundle-'));
  let bundle = '';
  let text = '';

  beforeAll(async () => {
    bundle = await ensureAgentBundle();
    text = readFileSync(bundle, 'utf8');
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is one executable file whose only require() calls are Node built-ins (no native or optional modules)', () => {
    expect(text.startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(statSync(bundle).mode & 0o111).not.toBe(0);
    const required = [...text.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1] as string);
    expect(required.length).toBeGreaterThan(0);
    const builtins = new Set(builtinModules);
    expect(required.filter((r) => !(r.startsWith('node:') || builtins.has(r)))).toEqual([]);
    expect(text).not.toMatch(/\.node["']\s*\)|process\.dlopen/);
    expect(required).not.toContain('bufferutil');
    expect(required).not.toContain('utf-8-validate');
  });

  it("runs alone (copied where no node_modules or package.json is) with the host's system node", async () => {
    const version = await runNode(SYSTEM_NODE, ['--version'], dir);
    expect(version.code).toBe(0);
    // The bundle targets Node 20: the oldest system node a host of this kind has.
    expect(Number(/^v(\d+)\./.exec(version.stdout)?.[1])).toBeGreaterThanOrEqual(20);
    const lone = mkdtempSync(path.join(dir, 'host-'));
    copyFileSync(bundle, path.join(lone, 'capstan-agent.js'));
    // With the node options the join command and the image use: the host's node must accept them.
    const help = await runNode(SYSTEM_NODE, [...AGENT_NODE_OPTIONS, 'capstan-agent.js', '--help'], lone);
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toContain('Usage: capstan-agent --server');
    const bad = await runNode(SYSTEM_NODE, ['capstan-agent.js', '--join-token', 'cjt_x'], lone);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--join-token needs --server');
    // Not enrolled and no token: a start problem (exit 1), reported after the options parsed fine.
    const idle = await runNode(SYSTEM_NODE, ['capstan-agent.js', '--state-dir', path.join(lone, 'state')], lone);
    expect(idle.code).toBe(1);
    expect(idle.stderr).toContain('not enrolled yet');
  });

  it('carries zod/mini only: classic zod costs the idle agent ~12 MB of memory', () => {
    // Classic zod's schema classes are registered under names like "ZodType"; zod/mini's are "ZodMini…".
    expect(text).toContain('"ZodMiniType"');
    expect(text).not.toMatch(/"Zod(Type|String|Object|Number)"/);
    // Classic zod would add ~350 KB (its locales and JSON Schema converter come along).
    expect(text.length).toBeLessThan(450 * 1024);
  });

  it('explains bad input in the project\'s words without classic zod (which brings its own English)', async () => {
    const lone = mkdtempSync(path.join(dir, 'damaged-'));
    copyFileSync(bundle, path.join(lone, 'capstan-agent.js'));
    mkdirSync(path.join(lone, 'state'));
    writeFileSync(path.join(lone, 'state', 'identity.json'), JSON.stringify({ agentId: 'seven' }));
    const r = await runNode(SYSTEM_NODE, ['capstan-agent.js', '--state-dir', path.join(lone, 'state')], lone);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('is damaged (must be number, not string "seven")');
  });

  it('requires no ws, zlib or https at start (own WebSocket client; enrolment imports https when it runs)', () => {
    const required = [...text.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map((m) => (m[1] as string).replace(/^node:/, ''));
    for (const heavy of ['ws', 'zlib', 'https']) expect(required).not.toContain(heavy);
    expect(text).toContain('import("node:https")');
  });

  it('builds byte for byte the same each time, and knows when an input changed', async () => {
    const a = await buildAgentBundle(path.join(dir, 'a', 'capstan-agent.js'));
    const b = await buildAgentBundle(path.join(dir, 'b', 'capstan-agent.js'));
    expect(a.sha256).toBe(b.sha256);
    expect(readFileSync(a.file)).toEqual(readFileSync(bundle));
    expect(agentBundleIsCurrent(a.file)).toBe(true);
    // An input whose recorded hash no longer matches (as after an edit) makes the bundle stale.
    const record = `${a.file}.inputs.json`;
    const parsed = JSON.parse(readFileSync(record, 'utf8')) as { inputs: Record<string, string> };
    const first = Object.keys(parsed.inputs)[0] as string;
    parsed.inputs[first] = '0'.repeat(64);
    writeFileSync(record, JSON.stringify(parsed));
    expect(agentBundleIsCurrent(a.file)).toBe(false);
    await ensureAgentBundle(a.file);
    expect(agentBundleIsCurrent(a.file)).toBe(true);
    rmSync(b.file);
    expect(agentBundleIsCurrent(b.file)).toBe(false);
  });
});
