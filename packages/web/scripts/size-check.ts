// The build check: the JavaScript a first visit downloads before anything renders (the entry
// script and the chunks index.html preloads), gzipped, against the 500 KB budget. Lazy pages
// (editor, terminal, charts) are listed apart; they load only where used.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const BUDGET_BYTES = 500 * 1000;
const dist = join(import.meta.dirname, '..', 'dist');
const html = readFileSync(join(dist, 'index.html'), 'utf8');
const initial = [...html.matchAll(/<(?:script[^>]*\bsrc|link[^>]*rel="modulepreload"[^>]*\bhref)="\/?([^"]+\.js)"/g)].map((m) => m[1] ?? '');
if (initial.length === 0) throw new Error('no entry script found in dist/index.html');

const gz = (file: string): number => gzipSync(readFileSync(join(dist, file)), { level: 9 }).length;
const kb = (n: number): string => `${(n / 1000).toFixed(1)} KB`;
let total = 0;
console.log('initial JavaScript (gzip):');
for (const file of initial) {
  const size = gz(file);
  total += size;
  console.log(`  ${file.padEnd(48)} ${kb(size)}`);
}
const lazy = readdirSync(join(dist, 'assets')).filter((f) => f.endsWith('.js') && !initial.includes(`assets/${f}`));
const lazyTotal = lazy.reduce((sum, f) => sum + gz(join('assets', f)), 0);
console.log(`initial JS: ${kb(total)} gzipped of a ${kb(BUDGET_BYTES)} budget (${((total / BUDGET_BYTES) * 100).toFixed(0)}%); ${lazy.length} lazy chunks, ${kb(lazyTotal)} gzipped in all`);
if (total > BUDGET_BYTES) {
  console.error(`over budget by ${kb(total - BUDGET_BYTES)}: move heavy imports behind a lazy page or import()`);
  process.exit(1);
}
