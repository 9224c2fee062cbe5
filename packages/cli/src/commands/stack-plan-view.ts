// Stacks as text for people: plans (what a deploy would change), compose warnings, list rows.
import type {
  ComposeIssue,
  ServicePlan,
  StackPage,
  StackPlanAnswer,
  StackVersionSummary,
} from '@capstan/protocol';
import { printable } from '../output.ts';

/** Longest rendering of one changed value before it is cut. */
const MAX_VALUE_CHARS = 60;

const SYMBOL: Record<ServicePlan['action'], string> = {
  create: '+',
  recreate: '~',
  scale: '~',
  remove: '-',
  unchanged: ' ',
};

/** `text` with full sha256 digests and image ids cut to 12 hex digits (what docker shows). */
export function shortDigests(text: string): string {
  return text.replace(/sha256:([0-9a-f]{12})[0-9a-f]{52}/g, 'sha256:$1');
}

/** One side of a field change as short text: `(none)` for null, strings quoted, the rest as JSON; long values cut with `…`. */
export function planValue(value: unknown): string {
  if (value === null || value === undefined) return '(none)';
  // JSON.stringify answers undefined only for functions and symbols, which JSON data never holds.
  const text = shortDigests(JSON.stringify(value) ?? '?');
  const chars = [...text];
  return printable(chars.length > MAX_VALUE_CHARS ? `${chars.slice(0, MAX_VALUE_CHARS - 1).join('')}…` : text);
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** What a service's line says after its action: container counts, and the image for new services. */
function serviceDetail(s: ServicePlan): string {
  const { current, target } = s.containers;
  switch (s.action) {
    case 'create':
      return `${plural(target, 'container')}, image ${s.image.reference}`;
    case 'scale':
      return `${current} → ${plural(target, 'container')}`;
    case 'remove':
      return plural(current, 'container');
    case 'recreate':
      return current === target ? plural(target, 'container') : `${current} → ${plural(target, 'container')}`;
    case 'unchanged':
      return '';
  }
}

/** The basis line: live, or the snapshot's date and why the live plan was not available. */
function basisLine(answer: StackPlanAnswer): string {
  const { plan, liveUnavailable } = answer;
  if (plan.basis === 'live') return `Plan against the live engine (computed ${plan.computedAt})`;
  // The server says "<why>: planned against the last snapshot (taken <when>)…".
  const why = liveUnavailable ?? '';
  const taken = /\(taken ([^)]+)\)/.exec(why)?.[1] ?? plan.computedAt;
  const reason = why.split(': planned against the last snapshot')[0] ?? why;
  const incomplete = why.includes('which is incomplete') ? ', which is incomplete' : '';
  return `Plan against the last snapshot as of ${taken}${incomplete}${reason === '' ? '' : ` (live plan unavailable: ${reason})`}`;
}

/** Warning lines for compose issues, `file:line:column path: message`, naming files by `localName`. */
export function formatComposeWarnings(
  warnings: readonly ComposeIssue[],
  localName: (file: string) => string = (f) => f,
): string {
  return warnings
    .map((w) => {
      const where = `${localName(w.file)}${w.line === null ? '' : `:${w.line}${w.column === null ? '' : `:${w.column}`}`}`;
      return printable(`warning: ${where}${w.path === '' ? '' : ` ${w.path}`}: ${w.message}`) + '\n';
    })
    .join('');
}

/**
 * A plan as people read it: the basis, per service create / recreate (each changed field
 * `from → to`) / scale / remove / unchanged, image updates, networks and volumes, and the
 * compose warnings; ends with a newline.
 */
export function formatPlan(answer: StackPlanAnswer, localName?: (file: string) => string): string {
  const { plan } = answer;
  const lines: string[] = [`${printable(basisLine(answer))}:`];
  const nameWidth = Math.max(0, ...plan.services.map((s) => [...s.service].length));
  const actionWidth = Math.max(0, ...plan.services.map((s) => s.action.length));
  if (plan.services.length > 0) lines.push('Services:');
  for (const s of plan.services) {
    const detail = serviceDetail(s);
    const head = `  ${SYMBOL[s.action]} ${s.service.padEnd(nameWidth)}  ${detail === '' ? s.action : `${s.action.padEnd(actionWidth)}  ${detail}`}`;
    lines.push(printable(head.trimEnd()));
    for (const c of s.changes) lines.push(printable(`      ${c.field}: ${planValue(c.from)} → ${planValue(c.to)}`));
  }
  const updates = new Map<string, string[]>();
  for (const s of plan.services) {
    if (s.image.updated) updates.set(s.image.reference, [...(updates.get(s.image.reference) ?? []), s.service]);
  }
  if (updates.size > 0) lines.push('Image updates:');
  for (const [reference, services] of updates) {
    lines.push(printable(`  ${shortDigests(reference)} (${services.join(', ')}): a newer image is available`));
  }
  for (const [title, items] of [
    ['Networks', plan.networks],
    ['Volumes', plan.volumes],
  ] as const) {
    if (items.length === 0) continue;
    lines.push(`${title}:`);
    const width = Math.max(...items.map((i) => [...i.name].length));
    for (const i of items) {
      const symbol = i.action === 'create' ? '+' : i.action === 'remove' ? '-' : i.action === 'recreate' ? '~' : ' ';
      lines.push(printable(`  ${symbol} ${i.name.padEnd(width)}  ${i.action}`));
    }
  }
  lines.push(plan.noop ? 'Nothing would change.' : summaryLine(plan.services));
  return `${lines.join('\n')}\n${formatComposeWarnings(answer.warnings, localName)}`;
}

/** `2 to create, 1 to recreate, 1 unchanged`. */
function summaryLine(services: readonly ServicePlan[]): string {
  const counts = new Map<string, number>();
  for (const s of services) counts.set(s.action, (counts.get(s.action) ?? 0) + 1);
  const parts = (['create', 'recreate', 'scale', 'remove'] as const)
    .filter((a) => counts.has(a))
    .map((a) => `${counts.get(a)} to ${a}`);
  if (counts.has('unchanged')) parts.push(`${counts.get('unchanged')} unchanged`);
  return parts.length === 0 ? 'Services unchanged; networks or volumes change.' : `${parts.join(', ')}.`;
}

/** Table columns of `stack list`. */
export const STACK_COLUMNS = ['ID', 'NAME', 'ENVIRONMENT', 'STATUS', 'LATEST', 'SOURCE', 'UPDATED'];

/** One row per stack under STACK_COLUMNS; LATEST is the newest version's number. */
export function stackRows(items: StackPage['items']): string[][] {
  return items.map((s) => [
    String(s.id),
    s.name,
    String(s.environmentId),
    s.status,
    s.latestVersion === null ? '-' : `v${s.latestVersion.number}`,
    s.source,
    s.updatedAt,
  ]);
}

/** Table columns of `stack versions`. */
export const VERSION_COLUMNS = ['VERSION', 'ID', 'KIND', 'STATUS', 'CREATED', 'BY', 'REASON'];

/** One row per version under VERSION_COLUMNS (a rollback names the version it copies). */
export function versionRows(items: readonly StackVersionSummary[], numberOf: (id: number) => number | null): string[][] {
  return items.map((v) => {
    const of = v.rollbackOf === null ? null : numberOf(v.rollbackOf);
    const kind = v.kind === 'rollback' ? `rollback to ${of === null ? `id ${v.rollbackOf}` : `v${of}`}` : v.kind;
    return [`v${v.number}`, String(v.id), kind, v.status, v.createdAt, v.createdByName ?? '-', v.reason ?? ''];
  });
}
