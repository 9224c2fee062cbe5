// The only contract between server, agent, web and cli. Schemas and types; no I/O.
export * from './version.ts';
export * from './errors.ts';
export * from './messages.ts';
export * from './permissions.ts';
export * from './api/common.ts';
export * from './api/health.ts';
export * from './api/users.ts';
export * from './api/auth.ts';
export * from './api/setup.ts';
export * from './api/teams.ts';
export * from './api/api-keys.ts';
export * from './api/environments.ts';
export * from './api/roles.ts';
export * from './api/audit.ts';
export * from './tunnel/index.ts';
export * from './agent/index.ts';
