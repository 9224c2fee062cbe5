// A stack plan as rows to read before deploying: per service what happens (create / recreate /
// remove / keep / scale), which fields changed for a recreate, whether a newer image is pulled;
// then networks and volumes. Pure.
import type { FieldChange, StackPlan } from '@capstan/protocol';

/** One line of the plan. */
export interface PlanRow {
  kind: 'service' | 'network' | 'volume';
  name: string;
  /** create, recreate, remove, keep or scale (the planner's "unchanged" reads as keep). */
  action: string;
  color: string;
  /** Changed fields, "field: from → to". */
  changes: string[];
  /** Extra facts: a newer image will be pulled, container counts. */
  notes: string[];
}

const COLOR: Record<string, string> = { create: 'teal', recreate: 'yellow', remove: 'red', keep: 'gray', scale: 'blue' };

/** The planner's action as shown. */
export function actionLabel(action: string): string {
  return action === 'unchanged' ? 'keep' : action;
}

/** A value of a field change, short enough for one line. */
export function showValue(value: unknown): string {
  if (value === undefined || value === null) return 'none';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}

/** "field: from → to". */
export function changeText(change: FieldChange): string {
  return `${change.field}: ${showValue(change.from)} → ${showValue(change.to)}`;
}

/** The rows of a plan: services first, then networks and volumes that change. */
export function planRows(plan: StackPlan): PlanRow[] {
  const services = plan.services.map((s): PlanRow => {
    const action = actionLabel(s.action);
    const notes: string[] = [];
    if (s.image.updated) notes.push(`pull: a newer ${s.image.reference} is available`);
    if (s.containers.current !== s.containers.target) notes.push(`containers ${s.containers.current} → ${s.containers.target}`);
    return { kind: 'service', name: s.service, action, color: COLOR[action] ?? 'gray', changes: s.changes.map(changeText), notes };
  });
  const networks = plan.networks
    .filter((n) => n.action !== 'unchanged')
    .map((n): PlanRow => ({ kind: 'network', name: n.name, action: n.action, color: COLOR[n.action] ?? 'gray', changes: (n.changes ?? []).map(changeText), notes: [] }));
  const volumes = plan.volumes
    .filter((v) => v.action !== 'unchanged')
    .map((v): PlanRow => ({ kind: 'volume', name: v.name, action: v.action, color: COLOR[v.action] ?? 'gray', changes: [], notes: [] }));
  return [...services, ...networks, ...volumes];
}

/** "2 to create, 1 to recreate, 3 kept" (services only). */
export function planSummary(plan: StackPlan): string {
  const counts = new Map<string, number>();
  for (const s of plan.services) counts.set(actionLabel(s.action), (counts.get(actionLabel(s.action)) ?? 0) + 1);
  const parts = ['create', 'recreate', 'scale', 'remove'].filter((a) => counts.has(a)).map((a) => `${counts.get(a)} to ${a}`);
  if (counts.has('keep')) parts.push(`${counts.get('keep')} kept`);
  return parts.length === 0 ? 'no services' : parts.join(', ');
}

/** A refused deploy the plan already shows: a project network whose settings changed. */
export function planBlockers(plan: StackPlan): string[] {
  return plan.networks
    .filter((n) => n.action === 'recreate')
    .map((n) => `Network ${n.name} must be recreated (${(n.changes ?? []).map((c) => c.field).join(', ') || 'settings changed'}): the deploy will be refused. Remove the stack's containers from it first, or keep its settings.`);
}
