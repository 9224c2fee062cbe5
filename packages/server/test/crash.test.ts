import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../src/db/store.ts';
import { ADMIN } from './helpers/harness.ts';
import { fetchJson } from './helpers/https-client.ts';
import { spawnServer, type ServerProcess } from './helpers/server-process.ts';

describe('kill -9 in the middle of mutations (SQLite, real process)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'capstan-crash-'));
  const procs: ServerProcess[] = [];
  afterAll(async () => {
    for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) await p.kill9();
    rmSync(dir, { recursive: true, force: true });
  });

  it('loses no acknowledged write, and every committed change has its audit record', async () => {
    const pwFile = path.join(dir, 'admin-password');
    writeFileSync(pwFile, `${ADMIN.password}\n`);
    const dataDir = path.join(dir, 'data');
    const first = await spawnServer(['--data-dir', dataDir, '--admin-password-file', pwFile]);
    procs.push(first);
    const login = await fetchJson(`${first.url}/api/auth/login`, { method: 'POST', body: ADMIN });
    expect(login.status).toBe(200);
    const token = login.body.token as string;

    const acknowledged: number[] = [];
    let stop = false;
    let n = 0;
    const worker = async () => {
      while (!stop) {
        const name = `crash-user-${n++}`;
        const r = await fetchJson(`${first.url}/api/users`, {
          method: 'POST',
          token,
          body: { username: name, password: 'a long enough password' },
        }).catch(() => null);
        if (r?.status === 201) acknowledged.push(r.body.id as number);
        else if (r) break;
        else return;
      }
    };
    const workers = [worker(), worker(), worker(), worker()];
    while (acknowledged.length < 25) await new Promise((r) => setTimeout(r, 20));
    await first.kill9(); // mid-flight: several requests are somewhere between parse and commit
    stop = true;
    await Promise.all(workers);

    const second = await spawnServer(['--data-dir', dataDir]);
    procs.push(second);
    const relogin = await fetchJson(`${second.url}/api/auth/login`, { method: 'POST', body: ADMIN });
    expect(relogin.status).toBe(200);
    const users = await fetchJson(`${second.url}/api/users?limit=1000`, { token: relogin.body.token });
    const ids = new Set<number>(users.body.items.map((u: { id: number }) => u.id));
    for (const id of acknowledged) expect(ids.has(id), `acknowledged user ${id} survived`).toBe(true);
    const audit = await fetchJson(`${second.url}/api/audit?action=users.create&outcome=success&limit=1000`, { token: relogin.body.token });
    const audited = new Set<string>(audit.body.items.map((a: { targetId: string }) => a.targetId));
    const created = [...ids].filter((id) => users.body.items.find((u: { id: number; isAdmin: boolean }) => u.id === id && !u.isAdmin));
    expect(created.length).toBeGreaterThanOrEqual(acknowledged.length);
    for (const id of created) expect(audited.has(String(id)), `user ${id} has its audit record`).toBe(true);
    // And no record claims a change that did not commit.
    for (const target of audited) expect(ids.has(Number(target)), `audited user ${target} exists`).toBe(true);
    await second.stop();

    // The outbox is empty once the restarted server has moved everything.
    const store = await openStore({ dataDir });
    try {
      expect(await store.db.selectFrom('auditOutbox').selectAll().execute()).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
