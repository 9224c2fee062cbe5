// The WebSocket address of a container's live feature, on the page's own origin (the session
// cookie rides along; the server checks the Origin header): wss: when the page is https:.
import type { LiveFeature } from '@capstan/protocol';

/** The part of `window.location` a socket address needs. */
export interface PageOrigin {
  protocol: string;
  host: string;
}

/** `ws(s)://host/api/environments/{id}/containers/{containerId}/{feature}/ws?…` (empty query values left out). */
export function liveSocketUrl(
  origin: PageOrigin,
  environmentId: number,
  containerId: string,
  feature: LiveFeature,
  query: Record<string, string | number | boolean | undefined> = {},
): string {
  const scheme = origin.protocol === 'https:' ? 'wss:' : 'ws:';
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') search.set(key, String(value));
  }
  const qs = search.toString();
  const path = `/api/environments/${environmentId}/containers/${encodeURIComponent(containerId)}/${feature}/ws`;
  return `${scheme}//${origin.host}${path}${qs ? `?${qs}` : ''}`;
}
