// The navigation entries, each shown only to principals who may open that page.
import type { MeResponse, Permission } from '@capstan/protocol';
import { can } from '../auth/permissions.ts';

export interface NavEntry {
  to: string;
  label: string;
  /** Global permission needed to see the entry; absent: everyone signed in. */
  permission?: Permission;
}

export const NAV: readonly NavEntry[] = [
  { to: '/', label: 'Environments' },
  { to: '/stacks', label: 'Stacks' },
  { to: '/templates', label: 'Templates' },
  { to: '/registries', label: 'Registries', permission: 'registries.read' },
  { to: '/users', label: 'Users', permission: 'users.read' },
  { to: '/teams', label: 'Teams', permission: 'teams.read' },
  { to: '/access', label: 'Roles & access' },
  { to: '/api-keys', label: 'API keys' },
  { to: '/audit', label: 'Audit log', permission: 'audit.read' },
  { to: '/settings', label: 'Settings' },
];

/** The entries `me` may open. */
export function visibleNav(me: MeResponse): NavEntry[] {
  return NAV.filter((e) => !e.permission || can(me, e.permission));
}
