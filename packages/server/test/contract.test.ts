/**
 * The protocol's API table (what the web and CLI clients are typed from) against the routes the
 * server really registers: every people-facing route is in the table with the very same schemas,
 * and every table entry is served. Agent-only and machine routes are listed as exceptions.
 */
import { API, type Operation } from '@capstan/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './helpers/harness.ts';

// Served, but not for people's clients: agents, scrapers, webhooks, binary and streaming answers.
const NOT_IN_TABLE = new Set([
  'GET /api/agents/capstan-agent.js',
  'POST /api/agents/enrol',
  'POST /api/agents/poll',
  'GET /metrics',
  'GET /api/openapi.json',
  'POST /api/git-sources/:id/webhook',
  'GET /api/stacks/:id/versions/:versionId/events',
  'GET /api/events',
]);

describe('API contract table', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness('sqlite');
  });
  afterAll(async () => {
    await h.close();
  });

  it('names every people-facing route with the schemas the server parses and answers with', () => {
    const served = new Map(h.app.routes.map((r) => [`${r.method} ${r.url}`, r]));
    const table = API as Record<string, Operation>;
    const missing = [...served.keys()].filter((k) => !NOT_IN_TABLE.has(k) && !(k in table));
    expect(missing, 'routes the protocol API table lacks').toEqual([]);
    const unserved = Object.keys(table).filter((k) => !served.has(k));
    expect(unserved, 'table entries no route serves').toEqual([]);
    for (const [key, op] of Object.entries(table)) {
      const route = served.get(key);
      for (const part of ['params', 'query', 'body', 'response'] as const) {
        expect(route?.[part] === op[part], `${key}: ${part} schema differs from the server's`).toBe(true);
      }
    }
  });
});
