// What the benchmark measures and for how long: one place to change sizes, durations and timeouts.

export const CONFIG = {
  startRepeats: 3,
  idleMs: 3_000,
  login: { concurrency: 8, warmupMs: 1_000, durationMs: 5_000 },
  http: { concurrency: 16, warmupMs: 2_000, durationMs: 5_000 },
  seed: {
    users: 100_000,
    environments: 10_000,
    groups: 100,
    teams: 1_000,
    tags: 20,
    rolesPerUser: 2,
    groupRolesPerTeam: 2,
    chosenEnvironmentRoles: 50,
  },
  readyTimeoutMs: 30_000,
  pollMs: 20,
  watchdogMs: 10 * 60_000,
};

export const ADMIN = { username: 'admin', password: 'bench-admin-password-1234' };
export const USER_PASSWORD = 'bench-user-password-1234';
