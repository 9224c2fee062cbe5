// Tabs kept in the URL path (`/environments/7/images`), so a reload or a shared link opens the same tab.

/** The tab a route's splat (`*`) names: its first segment when it is one of `tabs`, else `fallback`. */
export function tabFromSplat<T extends string>(splat: string | undefined, tabs: readonly T[], fallback: T): T {
  const first = (splat ?? '').split('/')[0] ?? '';
  return (tabs as readonly string[]).includes(first) ? (first as T) : fallback;
}

/** The environment page's tabs, in order. */
export const ENV_TABS = ['containers', 'images', 'volumes', 'networks', 'stacks', 'queue', 'agent'] as const;
/** One environment page tab. */
export type EnvTab = (typeof ENV_TABS)[number];

/** The path of an environment tab (the containers tab is the environment's own path). */
export function envTabPath(environmentId: number, tab: EnvTab): string {
  return tab === 'containers' ? `/environments/${environmentId}` : `/environments/${environmentId}/${tab}`;
}
