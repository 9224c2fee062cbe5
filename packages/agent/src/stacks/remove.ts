// stack.remove: everything of a compose project goes (its containers, one-offs too, and the networks
// it created), its volumes only when asked; the stack's files in the state directory with it.
import { COMPOSE_LABEL, type StackRemovePayload } from '@capstan/protocol';
import { expectCall, json, labelFilter, query, seg } from './engine-client.ts';
import type { StackRuntime } from './deploy.ts';
import { removeStackFiles, stackPaths } from './stack-files.ts';

/** What stack.remove reports. */
export interface StackRemoveOutput {
  readonly removed: { readonly containers: number; readonly networks: number; readonly volumes: number };
}

/** Removes project `payload.projectName`. */
export async function removeStack(rt: StackRuntime, payload: StackRemovePayload): Promise<StackRemoveOutput> {
  const { engine } = rt;
  const filters = labelFilter({ [COMPOSE_LABEL.project]: payload.projectName });
  const listed = await expectCall(engine, 'cannot list the project containers', [200], 'GET', `/containers/json${query({ all: 1, filters })}`);
  const containers = (JSON.parse(listed.body.toString('utf8')) as Array<{ Id?: unknown; Names?: unknown }>).flatMap((c) => (typeof c.Id === 'string' ? [c.Id] : []));
  // Stopped together: dependents and dependencies go at once, so order does not matter.
  await Promise.all(containers.map((id) => expectCall(engine, `cannot stop ${id}`, [204, 304, 404], 'POST', `/containers/${seg(id)}/stop`)));
  for (const id of containers) {
    rt.progress({ type: 'step', step: `remove container ${id.slice(0, 12)}`, status: 'started' });
    // Anonymous volumes go only with removeVolumes (docker-compose: only `down -v`).
    await expectCall(engine, `cannot remove container ${id}`, [204, 404], 'DELETE', `/containers/${seg(id)}${query({ v: payload.removeVolumes ? true : undefined, force: true })}`);
  }
  const nets = await expectCall(engine, 'cannot list networks', [200], 'GET', `/networks${query({ filters })}`);
  const networks = (JSON.parse(nets.body.toString('utf8')) as Array<{ Name?: unknown }>).flatMap((n) => (typeof n.Name === 'string' ? [n.Name] : []));
  for (const name of networks) {
    rt.progress({ type: 'step', step: `remove network ${name}`.slice(0, 256), status: 'started' });
    await expectCall(engine, `cannot remove network ${name}`, [204, 404], 'DELETE', `/networks/${seg(name)}`);
  }
  let volumes: string[] = [];
  if (payload.removeVolumes) {
    const vols = json(await expectCall(engine, 'cannot list volumes', [200], 'GET', `/volumes${query({ filters })}`));
    volumes = (Array.isArray(vols.Volumes) ? (vols.Volumes as Array<{ Name?: unknown }>) : []).flatMap((v) => (typeof v.Name === 'string' ? [v.Name] : []));
    for (const name of volumes) {
      rt.progress({ type: 'step', step: `remove volume ${name}`.slice(0, 256), status: 'started' });
      await expectCall(engine, `cannot remove volume ${name}`, [204, 404], 'DELETE', `/volumes/${seg(name)}`);
    }
  }
  removeStackFiles(stackPaths(rt.stateDir, payload.projectName), payload.removeVolumes);
  return { removed: { containers: containers.length, networks: networks.length, volumes: volumes.length } };
}
