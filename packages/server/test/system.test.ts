import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './helpers/harness.ts';

describe('OpenAPI and metrics', () => {
  let h: Harness;
  afterEach(async () => {
    await h?.close();
  });

  it('describes every route as OpenAPI 3.1 from the route schemas', async () => {
    h = await createHarness('sqlite');
    await h.setupAdmin();
    const r = await h.call({ method: 'GET', url: '/api/openapi.json' });
    expect(r.status).toBe(200);
    expect(r.body.openapi).toBe('3.1.0');
    for (const route of h.app.routes) {
      const op = r.body.paths[route.url.replace(/:(\w+)/g, '{$1}')]?.[route.method.toLowerCase()];
      expect(op, `${route.method} ${route.url}`).toBeTruthy();
      expect(op['x-capstan-permission']).toBe(route.access);
    }
    const create = r.body.paths['/api/users'].post;
    const body = create.requestBody.content['application/json'].schema;
    expect(body.required).toEqual(['username', 'password']);
    expect(body.additionalProperties).toBe(false);
    expect(body.properties.password.minLength).toBe(12);
    expect(create.responses['201'].content['application/json'].schema.properties.id.type).toBe('integer');
    const list = r.body.paths['/api/environments'].get.parameters.map((p: any) => p.name);
    expect(list).toEqual(expect.arrayContaining(['limit', 'offset', 'search', 'groupId', 'tagId']));
    expect(r.body.components.securitySchemes.apiKey).toEqual({ type: 'apiKey', in: 'header', name: 'X-API-Key' });
  });

  it('exposes Prometheus metrics to holders of system.metrics only', async () => {
    h = await createHarness('sqlite');
    const admin = await h.setupAdmin();
    const alice = await h.user(admin, 'alice');
    await h.call({ method: 'GET', url: '/api/users', token: admin });
    expect((await h.call({ method: 'GET', url: '/metrics' })).status).toBe(401);
    expect((await h.call({ method: 'GET', url: '/metrics', token: alice.token })).status).toBe(403);
    const m = await h.call({ method: 'GET', url: '/metrics', token: admin });
    expect(m.status).toBe(200);
    expect(String(m.headers['content-type'])).toMatch(/^text\/plain/);
    const text = m.body as string;
    expect(text).toMatch(/capstan_http_requests_total\{method="GET",route="\/api\/users",status="200"\} 1/);
    expect(text).toMatch(/capstan_http_request_duration_seconds_bucket\{le="0.005",method="GET",route="\/api\/users"\}/);
    expect(text).toMatch(/capstan_db_query_duration_seconds_count\{database="main"\} [1-9]/);
    expect(text).toMatch(/capstan_db_query_duration_seconds_count\{database="audit"\} [1-9]/);
    expect(text).toMatch(/capstan_process_resident_memory_bytes \d+/);
    expect(text).toMatch(/capstan_nodejs_eventloop_lag_seconds/);
  });
});
