import { z } from 'zod';
import { defineRoute, type RouteSpec } from '../../http/route.ts';
import { buildOpenApi } from '../../http/openapi.ts';
import type { Metrics } from '../../metrics/metrics.ts';

/** GET /api/openapi.json and GET /metrics. */
export function systemRoutes(metrics: Metrics, allRoutes: () => readonly RouteSpec[]): RouteSpec[] {
  let doc: Record<string, unknown> | null = null;
  return [
    defineRoute({
      method: 'GET',
      url: '/api/openapi.json',
      summary: 'This API, as OpenAPI 3.1 generated from the route schemas',
      tag: 'system',
      access: 'public',
      response: z.record(z.string(), z.unknown()),
      handler: () => Promise.resolve((doc ??= buildOpenApi(allRoutes()))),
    }),
    defineRoute({
      method: 'GET',
      url: '/metrics',
      summary: 'Prometheus metrics (requests, latencies, database timings, process)',
      tag: 'system',
      access: 'system.metrics',
      response: z.string(),
      handler: async ({ reply }) => {
        const { text, contentType } = await metrics.render();
        reply.type(contentType);
        return text;
      },
    }),
  ] as RouteSpec[];
}
