// Bulk-loads a migrated Capstan SQLite database (server stopped) with a large, deterministic
// population, straight through better-sqlite3 in one transaction: seconds, not minutes.
import path from 'node:path';
import Database from 'better-sqlite3';
import { ROLE_NAMES } from '@capstan/protocol';
import { pick, rng } from './random.ts';

export interface SeedOptions {
  users: number;
  environments: number;
  groups: number;
  teams: number;
  tags: number;
  /** Direct environment roles of every ordinary user. */
  rolesPerUser: number;
  /** Group roles of every team. */
  groupRolesPerTeam: number;
  /** Direct environment roles of the chosen user. */
  chosenEnvironmentRoles: number;
  /** argon2 hash shared by every seeded user. */
  passwordHash: string;
}

export interface SeedResult {
  ms: number;
  rows: Record<string, number>;
  /** Ids of the seeded (non-admin) users: firstUserId .. firstUserId + users - 1. */
  firstUserId: number;
  chosen: {
    id: number;
    username: string;
    directEnvironments: number;
    groups: number[];
    visibleEnvironments: number;
  };
}

const pad = (n: number, w: number) => String(n).padStart(w, '0');

/** Seeds the stopped, migrated store in `dataDir` per `o` in one transaction; the same data on every run. */
export function seedDatabase(dataDir: string, o: SeedOptions): SeedResult {
  const started = performance.now();
  const db = new Database(path.join(dataDir, 'capstan.db'));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    const rand = rng(20_240_601);
    const now = new Date().toISOString();
    const rows: Record<string, number> = {};
    const maxUser = (db.prepare('select coalesce(max(id), 0) as m from users').get() as { m: number }).m;
    const firstUserId = maxUser + 1;

    const chosen = db.transaction((): SeedResult['chosen'] => {
      let chosenUser: SeedResult['chosen'] | undefined;
      const insUser = db.prepare(
        `insert into users (id, username, username_key, password_hash, is_admin, disabled, failed_logins, locked_until, created_at, updated_at)
         values (?, ?, ?, ?, 0, 0, 0, null, ?, ?)`,
      );
      for (let i = 0; i < o.users; i++) {
        const name = `User${pad(i + 1, 6)}`;
        insUser.run(firstUserId + i, name, name.toLowerCase(), o.passwordHash, now, now);
      }
      rows.users = o.users;

      const insGroup = db.prepare(
        'insert into environment_groups (id, name, name_key, description, created_at) values (?, ?, ?, ?, ?)',
      );
      for (let g = 1; g <= o.groups; g++)
        insGroup.run(g, `Group-${pad(g, 3)}`, `group-${pad(g, 3)}`, `bench group ${g}`, now);
      rows.environment_groups = o.groups;

      // Environment e belongs to group ((e - 1) % groups) + 1: every group holds environments/groups of them.
      const groupOf = (e: number) => ((e - 1) % o.groups) + 1;
      const insEnv = db.prepare(
        `insert into environments (id, name, name_key, group_id, mode, status, created_at, updated_at)
         values (?, ?, ?, ?, 'standard', 'pending', ?, ?)`,
      );
      for (let e = 1; e <= o.environments; e++)
        insEnv.run(e, `Env-${pad(e, 5)}`, `env-${pad(e, 5)}`, groupOf(e), now, now);
      rows.environments = o.environments;

      const insTag = db.prepare('insert into tags (id, name, name_key) values (?, ?, ?)');
      for (let t = 1; t <= o.tags; t++) insTag.run(t, `tag-${pad(t, 2)}`, `tag-${pad(t, 2)}`);
      const insEnvTag = db.prepare('insert into environment_tags (environment_id, tag_id) values (?, ?)');
      let envTags = 0;
      for (let e = 1; e <= o.environments; e++) {
        const a = (e % o.tags) + 1;
        const b = ((e * 7) % o.tags) + 1;
        insEnvTag.run(e, a);
        envTags++;
        if (b !== a) {
          insEnvTag.run(e, b);
          envTags++;
        }
      }
      rows.tags = o.tags;
      rows.environment_tags = envTags;

      const insTeam = db.prepare('insert into teams (id, name, name_key, created_at) values (?, ?, ?, ?)');
      for (let t = 1; t <= o.teams; t++) insTeam.run(t, `Team-${pad(t, 4)}`, `team-${pad(t, 4)}`, now);
      rows.teams = o.teams;
      // User i (0-based) is a member of team (i % teams) + 1.
      const teamOf = (i: number) => (i % o.teams) + 1;
      const insMember = db.prepare('insert into team_members (team_id, user_id) values (?, ?)');
      for (let i = 0; i < o.users; i++) insMember.run(teamOf(i), firstUserId + i);
      rows.team_members = o.users;

      const insRole = db.prepare(
        `insert into role_assignments (principal_type, principal_id, scope_type, scope_id, role, created_at) values (?, ?, ?, ?, ?, ?)`,
      );
      const role = () => pick(rand, ROLE_NAMES) ?? 'readonly';
      let assignments = 0;
      // Team t holds roles on groups t, t+1, … (mod groups).
      const teamGroups = (t: number) =>
        Array.from({ length: o.groupRolesPerTeam }, (_, k) => ((t - 1 + k) % o.groups) + 1);
      for (let t = 1; t <= o.teams; t++) {
        for (const g of teamGroups(t)) {
          insRole.run('team', t, 'group', g, role(), now);
          assignments++;
        }
      }
      // The chosen user sits in the middle of the id range; every other user gets a few direct roles.
      const chosenIndex = Math.floor(o.users / 2);
      for (let i = 0; i < o.users; i++) {
        const count = i === chosenIndex ? o.chosenEnvironmentRoles : o.rolesPerUser;
        const picked = new Set<number>();
        while (picked.size < Math.min(count, o.environments))
          picked.add(1 + Math.floor(rand() * o.environments));
        for (const e of picked) {
          insRole.run(
            'user',
            firstUserId + i,
            'environment',
            e,
            i === chosenIndex ? 'operator' : role(),
            now,
          );
          assignments++;
        }
        if (i === chosenIndex) {
          const groups = teamGroups(teamOf(i));
          const visible = new Set<number>(picked);
          for (let e = 1; e <= o.environments; e++) if (groups.includes(groupOf(e))) visible.add(e);
          chosenUser = {
            id: firstUserId + i,
            username: `User${pad(i + 1, 6)}`,
            directEnvironments: picked.size,
            groups,
            visibleEnvironments: visible.size,
          };
        }
      }
      rows.role_assignments = assignments;
      if (!chosenUser) throw new Error('seeding chose no user');
      return chosenUser;
    })();
    db.pragma('wal_checkpoint(TRUNCATE)');
    return { ms: performance.now() - started, rows, firstUserId, chosen };
  } finally {
    db.close();
  }
}
