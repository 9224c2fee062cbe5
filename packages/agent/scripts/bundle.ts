// Builds the agent as the one file hosts run: packages/agent/dist/capstan-agent.js, CommonJS for Node 20+
// (so a host's system node runs it too), every dependency inlined, no native module. `npm run build:agent`
// runs this file; tests and the bench call ensureAgentBundle(), which rebuilds only when an input changed.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build, version as esbuildVersion, type BuildOptions, type Plugin } from 'esbuild';

const REPO = path.resolve(import.meta.dirname, '../../..');
/** Where the bundle is written (gitignored); the server's --agent-bundle default points here. */
export const AGENT_BUNDLE = path.join(REPO, 'packages/agent/dist/capstan-agent.js');
const ENTRY = 'packages/agent/bin/capstan-agent.js';
/** Oldest Node the bundle runs on: the system node of the hosts agents are installed on. */
export const BUNDLE_NODE_TARGET = 'node20';

// ws loads these optional native accelerators inside try/catch; they must never be loaded or bundled,
// so each resolves to a module that throws and ws keeps its pure-JS code paths.
const NATIVE_OPTIONALS = ['bufferutil', 'utf-8-validate'];
const withoutNativeOptionals: Plugin = {
  name: 'without-native-optionals',
  setup(b) {
    b.onResolve({ filter: new RegExp(`^(${NATIVE_OPTIONALS.join('|')})$`) }, (args) => ({ path: args.path, namespace: 'absent' }));
    b.onLoad({ filter: /.*/, namespace: 'absent' }, (args) => ({
      contents: `throw new Error(${JSON.stringify(`${args.path} is left out of the agent bundle`)});`,
      loader: 'js',
    }));
  },
};

const OPTIONS: BuildOptions = {
  absWorkingDir: REPO,
  entryPoints: [ENTRY],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: BUNDLE_NODE_TARGET,
  // Whitespace and syntax only: identifiers keep their names and lines stay short, so stack traces
  // (and the source line Node prints for an uncaught error) stay readable.
  minifyWhitespace: true,
  minifySyntax: true,
  lineLimit: 160,
  legalComments: 'eof',
  charset: 'ascii',
  metafile: true,
  write: false,
  outfile: AGENT_BUNDLE,
  logLevel: 'silent',
  plugins: [withoutNativeOptionals],
};

/** What a finished build depended on, stored beside the bundle to decide whether it is current. */
interface BuildRecord {
  recipe: string;
  inputs: Record<string, string>;
}

const recordFile = (out: string) => `${out}.inputs.json`;
const MODULE_TYPE = '{ "type": "commonjs" }\n';
const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest('hex');
// Anything that changes the output without being an input file: esbuild itself and these options.
const RECIPE = sha256(JSON.stringify({ esbuild: esbuildVersion, script: readFileSync(import.meta.filename, 'utf8') }));

function hashInputs(files: readonly string[]): Record<string, string> | null {
  const out: Record<string, string> = {};
  for (const f of files) {
    try {
      out[f] = sha256(readFileSync(path.join(REPO, f)));
    } catch {
      return null;
    }
  }
  return out;
}

/** Builds the bundle into `outfile` (atomically replaced); returns its size and SHA-256. */
export async function buildAgentBundle(outfile: string = AGENT_BUNDLE): Promise<{ file: string; bytes: number; sha256: string }> {
  const result = await build({ ...OPTIONS, outfile });
  const output = result.outputFiles?.[0];
  if (!output || !result.metafile) throw new Error('esbuild produced no output for the agent bundle');
  const inputs = Object.keys(result.metafile.inputs).filter((f) => !f.includes(':')).sort();
  const record: BuildRecord = { recipe: RECIPE, inputs: hashInputs(inputs) ?? {} };
  mkdirSync(path.dirname(outfile), { recursive: true });
  // Parallel test workers may build at once: each renames a complete file into place (same bytes).
  const tmp = `${outfile}.${process.pid}.tmp`;
  writeFileSync(tmp, output.contents, { mode: 0o755 });
  renameSync(tmp, outfile);
  // Inside this repo the nearest package.json says "type": "module"; the bundle is CommonJS (as it is on a host).
  writeFileSync(`${tmp}.pkg`, MODULE_TYPE);
  renameSync(`${tmp}.pkg`, path.join(path.dirname(outfile), 'package.json'));
  writeFileSync(`${tmp}.json`, `${JSON.stringify(record, null, 1)}\n`);
  renameSync(`${tmp}.json`, recordFile(outfile));
  return { file: outfile, bytes: output.contents.length, sha256: sha256(output.contents) };
}

/** True when `outfile` exists and was built by this recipe from inputs that have not changed since. */
export function agentBundleIsCurrent(outfile: string = AGENT_BUNDLE): boolean {
  let record: BuildRecord;
  try {
    readFileSync(outfile);
    if (readFileSync(path.join(path.dirname(outfile), 'package.json'), 'utf8') !== MODULE_TYPE) return false;
    record = JSON.parse(readFileSync(recordFile(outfile), 'utf8')) as BuildRecord;
  } catch {
    return false;
  }
  if (record.recipe !== RECIPE || typeof record.inputs !== 'object') return false;
  const now = hashInputs(Object.keys(record.inputs));
  return now !== null && Object.keys(record.inputs).length > 0 && Object.entries(now).every(([f, h]) => record.inputs[f] === h);
}

/** Path of an up-to-date agent bundle: builds it when missing or when an input changed. */
export async function ensureAgentBundle(outfile: string = AGENT_BUNDLE): Promise<string> {
  if (!agentBundleIsCurrent(outfile)) await buildAgentBundle(outfile);
  return outfile;
}

if (process.argv[1] === import.meta.filename) {
  const built = await buildAgentBundle();
  process.stdout.write(`${path.relative(process.cwd(), built.file)}: ${built.bytes} bytes, sha256 ${built.sha256}\n`);
}
