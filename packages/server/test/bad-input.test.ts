// Bad input, everywhere: every route is fuzzed with random path parameters, query strings,
// JSON bodies and raw payloads (property: never 5xx, never hangs, every 4xx is Problem JSON
// with a catalogued code), then a table of deterministic refusals checks the exact status,
// code and field path on both databases.
import fc from 'fast-check';
import { ERROR_CATALOGUE, IdSchema, ROLE_NAMES, type ErrorCode } from '@capstan/protocol';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BODY_LIMIT } from '../src/app.ts';
import { isMutating, type RouteSpec } from '../src/http/route.ts';
import { DIALECTS } from './helpers/databases.ts';
import { ADMIN, createHarness, type Answer, type Call, type Harness } from './helpers/harness.ts';

// ---------------------------------------------------------------------------------------------
// The property every answer must satisfy
// ---------------------------------------------------------------------------------------------

/** A call that takes longer than this counts as a hang. */
const CALL_TIMEOUT_MS = 5_000;

function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max)}… (${s.length} chars)`;
}

function contentTypeOf(a: Answer): string {
  return String(a.headers['content-type'] ?? '');
}

/** What is wrong with an answer: 5xx, a status outside 2xx/4xx, or a 4xx that is not a proper Problem. */
function violations(a: Answer): string[] {
  const found: string[] = [];
  if (a.status >= 500) {
    found.push(`server error ${a.status}`);
  } else if (a.status >= 400) {
    const ct = contentTypeOf(a);
    if (!ct.startsWith('application/problem+json')) found.push(`content-type is "${ct}", not application/problem+json`);
    const b: any = a.body;
    if (typeof b !== 'object' || b === null || Array.isArray(b)) {
      found.push('body is not a JSON object');
    } else {
      if (b.status !== a.status) found.push(`body.status ${JSON.stringify(b.status)} differs from HTTP status ${a.status}`);
      if (typeof b.code !== 'string' || !Object.hasOwn(ERROR_CATALOGUE, b.code)) {
        found.push(`body.code ${JSON.stringify(b.code)} is not in ERROR_CATALOGUE`);
      } else if (ERROR_CATALOGUE[b.code as ErrorCode] !== a.status) {
        found.push(`code ${b.code} belongs to status ${ERROR_CATALOGUE[b.code as ErrorCode]}, answered ${a.status}`);
      }
      if (typeof b.detail !== 'string' || b.detail.trim() === '') found.push('body.detail is missing or empty');
    }
  } else if (a.status < 200 || a.status >= 300) {
    found.push(`unexpected status ${a.status}`);
  }
  return found;
}

function describeAnswer(a: Answer): string {
  return `${a.status} [${contentTypeOf(a)}] ${truncate(typeof a.body === 'string' ? a.body : JSON.stringify(a.body) ?? '(no body)', 400)}`;
}

/** `h.call`, failing instead of waiting forever. */
async function bounded(h: Harness, c: Call): Promise<Answer> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CALL_TIMEOUT_MS} ms (hang)`)), CALL_TIMEOUT_MS);
  });
  try {
    return await Promise.race([h.call(c), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------------------------------------
// What the routes accept, read from their zod schemas
// ---------------------------------------------------------------------------------------------

/** The part of JSON Schema the generators look at. */
interface JsonNode {
  type?: string | string[];
  properties?: Record<string, JsonNode>;
  items?: JsonNode;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonNode[];
  format?: string;
}

function jsonNode(schema: z.core.$ZodType | undefined): JsonNode | null {
  if (!schema) return null;
  try {
    return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonNode;
  } catch {
    return null;
  }
}

function typesOf(node: JsonNode): string[] {
  const own = node.type === undefined ? [] : Array.isArray(node.type) ? node.type : [node.type];
  return [...own, ...(node.anyOf ?? []).flatMap(typesOf)];
}

function branches(node: JsonNode): JsonNode[] {
  return [node, ...(node.anyOf ?? []).flatMap(branches)];
}

/** The first branch of `node` with a given type (anyOf members included). */
function branchOf(node: JsonNode, type: string): JsonNode | undefined {
  return branches(node).find((b) => typesOf({ ...b, anyOf: [] }).includes(type));
}

/** A well-formed value for `node`: lets a fuzzed part reach the handler instead of failing elsewhere. */
function plausible(node: JsonNode | undefined): unknown {
  if (!node) return 'fuzz';
  const fixed = branches(node).find((b) => b.const !== undefined)?.const;
  if (fixed !== undefined) return fixed;
  const first = branches(node).find((b) => b.enum?.length)?.enum?.[0];
  if (first !== undefined) return first;
  const types = typesOf(node);
  if (types.includes('object')) {
    const obj = branchOf(node, 'object');
    return Object.fromEntries(Object.entries(obj?.properties ?? {}).map(([k, n]) => [k, plausible(n)]));
  }
  if (types.includes('array')) return [];
  if (types.includes('integer') || types.includes('number')) return 1;
  if (types.includes('boolean')) return false;
  if (types.includes('string')) return branchOf(node, 'string')?.format === 'date-time' ? '2099-01-01T00:00:00Z' : 'fuzz';
  return null;
}

// ---------------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------------

// Never "admin" in any casing: the fuzz must not lock the administrator out by guessing passwords.
const EDGE_STRINGS = [
  '', ' ', '  padded  ', '\u0000', 'a\u0000b', '\t\n', '\r\n', '\u202egnp.exe', 'é', 'e\u0301', '😀', '\ud800', '\udfff',
  '../../etc/passwd', '%00', '%s%n', "'; DROP TABLE users; --", '" OR 1=1 --', '<script>alert(1)</script>', '${7*7}',
  '__proto__', 'constructor', 'x'.repeat(101), 'y'.repeat(257), 'Ｆｕｌｌ', 'İ', 'ß', '\u200b', 'null', 'undefined',
];
const EDGE_NUMBERS = [0, -0, -1, 1, 1.5, 2147483647, 2147483648, -2147483649, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 2, 1e21, 1e308, -1e308, 5e-324];
const EDGE_DATES = [
  '9999-12-31T23:59:59-23:59', '0000-01-01T00:00:00Z', '2024-02-29T00:00:00Z', '2023-02-29T00:00:00Z',
  '2099-01-01T00:00:00.123456789Z', '2099-01-01', 'tomorrow', '2099-01-01T00:00:00+25:00', '1970-01-01T00:00:00Z', '',
];
const WRONG_TYPE_VALUES: unknown[] = [null, true, false, 0, -1, 1.5, 1e308, 2147483648, '', ' ', '1', 'true', 'null', [], [null], {}, { $gt: '' }, [[[]]], '\u0000'];
const DANGEROUS_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '', ' ', 'isAdmin', 'id', 'userId', 'role', '$where', 'name\u0000'];

const anyString: fc.Arbitrary<string> = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.constantFrom(...EDGE_STRINGS),
  fc.integer({ min: 90, max: 300 }).map((n) => 'z'.repeat(n)),
);

/** An own, enumerable property even for `__proto__`, so JSON.stringify writes it. */
function objectFrom(entries: ReadonlyArray<readonly [string, unknown]>): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [k, v] of entries) Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  return o;
}

/** JSON text for an object given as entries: keeps duplicate keys and `__proto__`. */
function serializeEntries(entries: ReadonlyArray<readonly [string, unknown]>): string {
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v) ?? 'null'}`).join(',')}}`;
}

/** A value for a field described by `node`: wrong types, edge values of the right type, or valid ones. */
function valueFor(node: JsonNode | undefined, depth: number): fc.Arbitrary<unknown> {
  const options: Array<fc.Arbitrary<unknown>> = [fc.constantFrom(...WRONG_TYPE_VALUES), fc.jsonValue({ maxDepth: 2 })];
  if (node) {
    const types = typesOf(node);
    const enums = branches(node).flatMap((b) => [...(b.enum ?? []), ...(b.const !== undefined ? [b.const] : [])]);
    if (enums.length) {
      options.push(fc.constantFrom(...enums));
      options.push(fc.constantFrom(...enums).map((v) => (typeof v === 'string' ? ` ${v.toUpperCase()}` : v)));
    }
    if (types.includes('string')) {
      options.push(anyString);
      if (branchOf(node, 'string')?.format === 'date-time') options.push(fc.constantFrom(...EDGE_DATES), fc.date({ noInvalidDate: true }).map((d) => d.toISOString()));
    }
    if (types.includes('integer') || types.includes('number')) {
      options.push(fc.constantFrom(...EDGE_NUMBERS), fc.integer(), fc.double(), fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 30 }).map(String));
    }
    if (types.includes('boolean')) options.push(fc.boolean(), fc.constantFrom<unknown>('true', 'false', 1, 0));
    if (types.includes('array')) {
      const items = branchOf(node, 'array')?.items;
      options.push(
        fc.array(depth < 3 ? valueFor(items, depth + 1) : fc.jsonValue({ maxDepth: 1 }), { maxLength: 5 }),
        // Just over the usual caps (tagIds: 100).
        fc.integer({ min: 95, max: 130 }).map((n) => Array.from({ length: n }, (_v, i) => i + 1)),
      );
    }
    if (types.includes('object') && depth < 3) options.push(objectEntries(branchOf(node, 'object'), depth + 1, true).map(objectFrom));
  }
  return fc.oneof(...options);
}

/** Entries of an object for `node`: a random subset of its known fields, optionally plus unknown keys. */
function objectEntries(node: JsonNode | undefined, depth: number, extras: boolean): fc.Arbitrary<Array<readonly [string, unknown]>> {
  const known = Object.entries(node?.properties ?? {});
  const knownPart: fc.Arbitrary<Array<readonly [string, unknown]>> = known.length
    ? fc
        .record(Object.fromEntries(known.map(([k, n]) => [k, valueFor(n, depth)])) as Record<string, fc.Arbitrary<unknown>>, { requiredKeys: [] })
        .map((r) => Object.entries(r))
    : fc.constant([]);
  if (!extras) return knownPart;
  const extraKey = fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom(...DANGEROUS_KEYS, ...known.map(([k]) => k)));
  const extraPart = fc.array(fc.tuple(extraKey, fc.jsonValue({ maxDepth: 2 })), { maxLength: 3 });
  return fc.tuple(knownPart, extraPart).map(([a, b]) => [...a, ...b]);
}

/** Path segment values: plausible ids, numeric edge cases, traversal, escapes, unicode. */
const PARAM_EDGES = [
  '0', '-1', '1.5', '1e3', '0x10', '0b1', 'NaN', 'Infinity', '-0', '+1', '2147483647', '2147483648', '9007199254740993',
  '99999999999999999999999999999', '-99999999999999999999', '', '..', '.', '%2e%2e', '%2e%2e%2f%2e%2e', '..%2F..%2Fetc%2Fpasswd',
  '%2F', '%00', 'null', 'undefined', 'true', '%5B%5D', '%7B%7D', '%201', '1%20', '%EF%BC%91', '%D9%A3',
  '1%3BDROP%20TABLE%20users', "1'%20OR%20'1'%3D'1", '1;', '1,2', '1%0A', '%E2%80%AE1',
];
const paramValue: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 1, max: 30 }).map(String) },
  { weight: 3, arbitrary: fc.constantFrom(...PARAM_EDGES) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }).map(encodeURIComponent) },
  { weight: 1, arbitrary: fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }).map(String) },
  { weight: 1, arbitrary: fc.integer({ min: 30, max: 100 }).map((n) => '7'.repeat(n)) },
);
/** Segments the router itself must cope with: broken percent-escapes, and more than its 100-character parameter limit. */
const routerParamValue: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('%zz', '%', '%ff', '%c0%ae', '%E0%A4%A', '1%', '%%31'),
  fc.integer({ min: 101, max: 400 }).map((n) => '7'.repeat(n)),
);
const plausibleParamValue = fc.integer({ min: 1, max: 30 }).map(String);

function paramNames(url: string): string[] {
  return [...url.matchAll(/:(\w+)/g)].map((m) => m[1] ?? '');
}

function paramsArb(route: RouteSpec, value: fc.Arbitrary<string>): fc.Arbitrary<Record<string, string>> {
  const names = paramNames(route.url);
  return names.length ? fc.record(Object.fromEntries(names.map((n) => [n, value]))) : fc.constant({});
}

function fillPath(url: string, values: Record<string, string>): string {
  return url.replace(/:(\w+)/g, (_m, name: string) => values[name] ?? '1');
}

function safeEncode(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return encodeURIComponent(s.replace(/[\ud800-\udfff]/g, '\ufffd'));
  }
}

const RAW_QUERY_FRAGMENTS = ['%', '%zz', '&&&', '=', '==', '?', '%00=%00', 'limit', 'limit=', '=1', '+', 'a=%E0%A4%A', 'limit=1&limit=2', 'a[b]=1', 'a[]=1&a[]=2', '__proto__[x]=1'];

function queryArb(route: RouteSpec): fc.Arbitrary<string> {
  const node = jsonNode(route.query);
  const known = Object.entries(node?.properties ?? {});
  const key = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom('limit', 'offset', ...known.map(([k]) => k)) },
    { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'hasOwnProperty', '', 'a[b]', 'limit[]', 'x.y') },
    { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 8 }) },
  );
  const edgeValues = ['', '0', '-1', '1', '1.5', 'abc', '1e999', 'NaN', '1000', '1001', '10000000', '10000001', '2147483648', 'true', ...EDGE_DATES];
  const value = fc.oneof(
    fc.constantFrom(...edgeValues),
    anyString,
    fc.integer().map(String),
    fc.constantFrom(...known.flatMap(([, n]) => branches(n).flatMap((b) => b.enum ?? [])).map(String), 'success'),
  );
  const pair = fc.tuple(key, value).map(([k, v]) => `${safeEncode(k)}=${safeEncode(v)}`);
  const part = fc.oneof({ weight: 5, arbitrary: pair }, { weight: 1, arbitrary: fc.constantFrom(...RAW_QUERY_FRAGMENTS) });
  // Some pairs are repeated: duplicated keys become arrays in the parsed query.
  return fc
    .array(part, { minLength: 1, maxLength: 6 })
    .chain((parts) => fc.subarray(parts, { maxLength: Math.min(2, parts.length) }).map((dups) => [...parts, ...dups].join('&')));
}

const OVERSIZED = JSON.stringify({ name: 'x'.repeat(BODY_LIMIT + 16) });
const DEEP = `${'['.repeat(50_000)}${']'.repeat(50_000)}`;
const RAW_PAYLOADS = [
  '{', '}', '[', '"', '{"name":', '{"name":"x"', '{name:"x"}', "{'name':'x'}", '{"name":"x",}', '{"name":"x"} trailing', '{"a":1}{"b":2}',
  '{"__proto__":{}}', '{"__proto__":{"isAdmin":true}}', '{"constructor":{"prototype":{"isAdmin":true}}}', '{"a":{"__proto__":{"x":1}}}',
  '\ufeff{"name":"x"}', '{"name":"\\ud800"}', '{"name":"\\u0000"}', '{"name":"x","name":{"$ne":1}}', '1e999', '-', 'NaN', 'nul',
  'true', 'null', '[]', '""', '0', '  ', '\n', '\u0000', OVERSIZED, DEEP, `{"name":${'1'.repeat(400)}}`, 'name=x&isAdmin=true',
  '<?xml version="1.0"?><name>x</name>', '--xyz\r\nContent-Disposition: form-data; name="name"\r\n\r\nx\r\n--xyz--',
];
const CONTENT_TYPES = [
  'application/json', 'application/json; charset=utf-8', 'application/json; charset=utf-16', 'application/json; charset=latin1',
  'APPLICATION/JSON', 'application/json;', 'application/jsonx', 'application/vnd.api+json', 'application/problem+json', 'text/json',
  'text/plain', 'text/plain; charset=utf-8', 'text/html', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=xyz',
  'application/octet-stream', 'application/xml', '*/*', 'json', 'application/json, text/plain', ';', 'a/b/c',
];
const rawPayload: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...RAW_PAYLOADS) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
  {
    weight: 2,
    // Truncated JSON: a prefix of a valid document.
    arbitrary: fc.jsonValue().chain((v) => {
      const s = JSON.stringify(v);
      return fc.nat(Math.max(0, s.length - 1)).map((n) => s.slice(0, n));
    }),
  },
);
const contentType = fc.oneof({ weight: 2, arbitrary: fc.constant('application/json') }, { weight: 3, arbitrary: fc.constantFrom(...CONTENT_TYPES) });

function jsonBodyArb(route: RouteSpec): fc.Arbitrary<string> {
  const node = jsonNode(route.body);
  const obj = node ? branchOf(node, 'object') : undefined;
  return fc.oneof(
    { weight: 1, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
    { weight: 3, arbitrary: objectEntries(obj, 0, true).map(serializeEntries) },
    { weight: 2, arbitrary: objectEntries(obj, 0, false).map(serializeEntries) },
  );
}

function plausibleBody(route: RouteSpec): string | undefined {
  return route.body ? JSON.stringify(plausible(jsonNode(route.body) ?? undefined)) : undefined;
}

// ---------------------------------------------------------------------------------------------
// One request per run
// ---------------------------------------------------------------------------------------------

interface FuzzRequest {
  method: Call['method'];
  url: string;
  params: Record<string, string>;
  payload?: string;
  contentType?: string;
}

function describeRequest(r: FuzzRequest): string {
  const ct = r.contentType ? ` [content-type: ${r.contentType}]` : '';
  const body = r.payload === undefined ? '' : ` payload ${JSON.stringify(truncate(r.payload, 300))}`;
  return `${r.method} ${truncate(r.url, 300)}${ct}${body}`;
}

/** Which part of the request a property randomises; the others stay plausible so the random part is reached. */
const DIMENSIONS = ['params', 'routerParams', 'query', 'jsonBody', 'rawBody', 'mixed'] as const;
type Dimension = (typeof DIMENSIONS)[number];
const RUNS: Record<Dimension, number> = { params: 12, routerParams: 6, query: 10, jsonBody: 16, rawBody: 12, mixed: 10 };

function requestArb(route: RouteSpec, dim: Dimension): fc.Arbitrary<FuzzRequest> {
  const params = paramsArb(
    route,
    dim === 'params' || dim === 'mixed' ? paramValue : dim === 'routerParams' ? fc.oneof(routerParamValue, plausibleParamValue) : plausibleParamValue,
  );
  const query: fc.Arbitrary<string | undefined> =
    dim === 'query' ? queryArb(route) : dim === 'mixed' ? fc.option(queryArb(route), { nil: undefined }) : fc.constant(undefined);
  const plain = plausibleBody(route);
  type Body = { payload?: string; contentType?: string };
  const body: fc.Arbitrary<Body> =
    dim === 'jsonBody'
      ? jsonBodyArb(route).map((payload) => ({ payload }))
      : dim === 'rawBody'
        ? fc.tuple(rawPayload, contentType).map(([payload, ct]) => ({ payload, contentType: ct }))
        : dim === 'mixed'
          ? fc.oneof(
              fc.constant<Body>(plain === undefined ? {} : { payload: plain }),
              jsonBodyArb(route).map((payload): Body => ({ payload })),
              fc.tuple(rawPayload, contentType).map(([payload, ct]): Body => ({ payload, contentType: ct })),
            )
          : fc.constant<Body>(plain === undefined ? {} : { payload: plain });
  return fc.tuple(params, query, body).map(([p, q, b]) => ({
    method: route.method,
    url: `${fillPath(route.url, p)}${q === undefined ? '' : `?${q}`}`,
    params: p,
    ...b,
  }));
}

/**
 * True for a well-formed change to the administrator's own account: a valid "disable" or
 * "demote" could legitimately lock the fuzzing administrator out, which is not bad input.
 */
function touchesAdmin(route: RouteSpec, r: FuzzRequest, adminId: number): boolean {
  if (!isMutating(route.method) || !route.url.startsWith('/api/users/:id') || !route.body) return false;
  const raw = r.params.id;
  if (raw === undefined) return false;
  let id: number;
  try {
    const parsed = IdSchema.safeParse(decodeURIComponent(raw));
    if (!parsed.success) return false;
    id = parsed.data;
  } catch {
    return false;
  }
  if (id !== adminId) return false;
  try {
    const value: unknown = r.payload === undefined || r.payload === '' ? {} : JSON.parse(r.payload);
    return z.safeParse(route.body, value).success;
  } catch {
    return false;
  }
}

function routeKey(r: { method: string; url: string }): string {
  return `${r.method} ${r.url}`;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

// ---------------------------------------------------------------------------------------------
// The fuzz (SQLite)
// ---------------------------------------------------------------------------------------------

// SQLite by default; CAPSTAN_FUZZ_DIALECT=postgres runs the same fuzz on PostgreSQL, and
// CAPSTAN_FUZZ_VERBOSE=1 prints the answers' statuses per route.
const FUZZ_DIALECT: 'sqlite' | 'postgres' = process.env.CAPSTAN_FUZZ_DIALECT === 'postgres' ? 'postgres' : 'sqlite';
const FUZZ_VERBOSE = process.env.CAPSTAN_FUZZ_VERBOSE === '1';

describe(`bad input: every route, random input, as administrator (${FUZZ_DIALECT})`, () => {
  let h: Harness;
  let token: string;
  let adminId: number;
  // Administrator logins the fuzz needs (after a fuzzed logout) come from their own address:
  // the fuzz's failed logins may trip the per-address failure limiter on 127.0.0.1.
  const sideLogins: string[] = [];

  async function adminLogin(): Promise<string> {
    const res = await h.app.fastify.inject({
      method: 'POST',
      url: '/api/auth/login',
      remoteAddress: '192.0.2.7',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify(ADMIN),
    });
    expect(res.statusCode, res.body).toBe(200);
    sideLogins.push(String(res.headers['x-request-id']));
    return (JSON.parse(res.body) as { token: string }).token;
  }

  beforeAll(async () => {
    h = await createHarness(FUZZ_DIALECT);
    token = await h.setupAdmin();
    const me = await h.call({ method: 'GET', url: '/api/auth/me', token });
    adminId = me.body.user.id as number;
  });
  afterAll(async () => {
    await h?.close();
  });

  it('never answers 5xx, never hangs, and refuses only with catalogued Problem JSON', { timeout: 180_000 }, async () => {
    const routes = h.app.routes;
    expect(routes.length).toBeGreaterThan(0);
    const stats = new Map<string, { calls: number; reached: number; planned: number; statuses: Record<string, number> }>();
    const failures: string[] = [];
    const seedBase = 0x0c5a_7001;

    for (const [ri, route] of routes.entries()) {
      const key = routeKey(route);
      const s = { calls: 0, reached: 0, planned: 0, statuses: {} as Record<string, number> };
      stats.set(key, s);
      for (const [di, dim] of DIMENSIONS.entries()) {
        if ((dim === 'params' || dim === 'routerParams') && paramNames(route.url).length === 0) continue;
        s.planned += RUNS[dim];
        const property = fc.asyncProperty(fc.limitShrink(requestArb(route, dim), 30), async (req) => {
          fc.pre(!touchesAdmin(route, req, adminId));
          const answer = await bounded(h, {
            method: req.method,
            url: req.url,
            token,
            ...(req.payload !== undefined ? { payload: req.payload } : {}),
            ...(req.contentType !== undefined ? { headers: { 'content-type': req.contentType } } : {}),
          });
          s.calls++;
          const tally = `${answer.status}${answer.body?.code ? ` ${String(answer.body.code)}` : ''}`;
          s.statuses[tally] = (s.statuses[tally] ?? 0) + 1;
          if (!(answer.status === 404 && answer.body?.code === 'route_not_found')) s.reached++;
          // A fuzzed logout (valid: empty body) ends the session the fuzz uses: open another.
          const code: unknown = answer.body?.code;
          if ((route.url === '/api/auth/logout' && answer.status < 300) || code === 'session_revoked' || code === 'unauthenticated') {
            token = await adminLogin();
          }
          const found = violations(answer);
          if (found.length) throw new Error(`${found.join('; ')}\n    answer: ${describeAnswer(answer)}`);
        });
        const seed = seedBase + ri * 16 + di;
        const out = await fc.check(property, { numRuns: RUNS[dim], seed });
        if (out.failed) {
          const ce = out.counterexample?.[0];
          failures.push(
            [
              `${key} [${dim}] (seed ${out.seed}, path ${out.counterexamplePath ?? '-'}, ${out.numShrinks} shrinks${out.interrupted ? ', interrupted' : ''})`,
              `  request: ${ce ? describeRequest(ce) : '(none: too many skipped runs)'}`,
              `  error:   ${errorText(out.errorInstance)}`,
            ].join('\n'),
          );
        }
      }
    }

    if (FUZZ_VERBOSE) {
      for (const [key, s] of stats) console.log(`${key}: ${s.calls} calls, ${JSON.stringify(s.statuses)}`);
    }
    // Every route was driven, and reached (not only answered "no such route").
    const notFuzzed = routes.filter((r) => {
      const s = stats.get(routeKey(r));
      return !s || s.planned === 0 || s.calls === 0 || s.reached === 0;
    });
    expect(notFuzzed.map(routeKey), 'routes the fuzz did not drive').toEqual([]);
    // Cross-check against the published contract: every documented operation was fuzzed.
    const doc = await h.call({ method: 'GET', url: '/api/openapi.json', token });
    expect(doc.status).toBe(200);
    const documented = Object.entries(doc.body.paths as Record<string, Record<string, unknown>>).flatMap(([p, ops]) =>
      Object.keys(ops).map((m) => routeKey({ method: m.toUpperCase(), url: p.replace(/\{(\w+)\}/g, ':$1') })),
    );
    expect(documented.filter((k) => !stats.has(k)), 'documented operations the fuzz skipped').toEqual([]);

    const summary = `${failures.length} fuzz propert${failures.length === 1 ? 'y' : 'ies'} failed:\n\n${failures.join('\n\n')}`;
    expect(failures.length, summary).toBe(0);
  });

  it('lost nothing: the administrator still signs in and is listed, and every mutating call was audited', async () => {
    const fresh = await adminLogin();
    const me = await h.call({ method: 'GET', url: '/api/auth/me', token: fresh });
    expect(me.status, JSON.stringify(me.body)).toBe(200);
    expect(me.body.user).toMatchObject({ id: adminId, username: ADMIN.username, isAdmin: true, disabled: false });
    const users = await h.call({ method: 'GET', url: '/api/users?limit=1000', token: fresh });
    expect(users.status, JSON.stringify(users.body)).toBe(200);
    expect((users.body.items as Array<{ username: string }>).map((u) => u.username)).toContain(ADMIN.username);
    await h.expectAllAudited();
    // The logins made beside the harness are audited too.
    const rows = await h.store.audit.selectFrom('auditLog').select(['requestId']).execute();
    const seen = new Set(rows.map((r) => r.requestId));
    expect(sideLogins.filter((id) => !seen.has(id)), 'side logins without an audit record').toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Deterministic refusals (both databases)
// ---------------------------------------------------------------------------------------------

interface Fixtures {
  token: string;
  adminId: number;
  environmentId: number;
  teamId: number;
}

interface Case {
  name: string;
  request: (f: Fixtures) => Call;
  /** Expected status, or any of several. */
  status: number | readonly number[];
  /** Expected code when the answer is a 4xx. */
  code?: ErrorCode;
  /** A field issue that must be present. */
  issue?: { location: 'body' | 'query' | 'params' | 'headers'; path: string; message?: RegExp };
  detail?: RegExp;
}

const MISSING = 999_999;
/** A well-formed Ed25519 public key (SPKI DER, base64) nobody holds the private half of. */
const ED25519_SPKI = 'MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=';
const GOOD_PASSWORD = 'a perfectly long password';
const ROLE = ROLE_NAMES[0];

const CASES: Case[] = [
  // Malformed JSON
  { name: 'malformed JSON: unterminated object', request: () => ({ method: 'POST', url: '/api/teams', payload: '{"name": "x",' }), status: 400, code: 'malformed_json' },
  { name: 'malformed JSON: single quotes', request: () => ({ method: 'POST', url: '/api/teams', payload: "{'name':'x'}" }), status: 400, code: 'malformed_json' },
  { name: 'malformed JSON: trailing garbage', request: () => ({ method: 'POST', url: '/api/teams', payload: '{"name":"x"} trailing' }), status: 400, code: 'malformed_json' },
  { name: 'malformed JSON: __proto__ key', request: () => ({ method: 'POST', url: '/api/teams', payload: '{"__proto__":{"isAdmin":true}}' }), status: 400, code: 'malformed_json' },
  { name: 'malformed JSON: constructor.prototype', request: () => ({ method: 'POST', url: '/api/teams', payload: '{"constructor":{"prototype":{"x":1}}}' }), status: 400, code: 'malformed_json' },
  { name: 'malformed JSON: form data sent as JSON, unauthenticated', request: () => ({ method: 'POST', url: '/api/auth/login', token: undefined, payload: 'username=a&password=b' }), status: 400, code: 'malformed_json' },
  { name: 'malformed JSON: PATCH', request: (f) => ({ method: 'PATCH', url: `/api/environments/${f.environmentId}`, payload: '{"mode":' }), status: 400, code: 'malformed_json' },
  // Wrong types
  {
    name: 'wrong type: username is a number',
    request: () => ({ method: 'POST', url: '/api/users', body: { username: 42, password: GOOD_PASSWORD } }),
    status: 400, code: 'validation_failed', issue: { location: 'body', path: 'username' },
  },
  {
    name: 'wrong type: memberIds is a string',
    request: () => ({ method: 'POST', url: '/api/teams', body: { name: 'typed-team', memberIds: 'all' } }),
    status: 400, code: 'validation_failed', issue: { location: 'body', path: 'memberIds' },
  },
  {
    name: 'wrong type: one memberIds element',
    request: () => ({ method: 'POST', url: '/api/teams', body: { name: 'typed-team', memberIds: [1, 'two'] } }),
    status: 400, code: 'validation_failed', issue: { location: 'body', path: 'memberIds.1' },
  },
  {
    name: 'wrong type: nested principal.id',
    request: (f) => ({
      method: 'POST', url: '/api/roles/assignments',
      body: { principal: { type: 'user', id: 'abc' }, scope: { type: 'environment', id: f.environmentId }, role: ROLE },
    }),
    status: 400, code: 'validation_failed', issue: { location: 'body', path: 'principal.id' },
  },
  {
    name: 'wrong type: mode is a number (PATCH)',
    request: (f) => ({ method: 'PATCH', url: `/api/environments/${f.environmentId}`, body: { mode: 5 } }),
    status: 400, code: 'validation_failed', issue: { location: 'body', path: 'mode' },
  },
  {
    name: 'wrong type: readOnly is a string',
    request: () => ({ method: 'POST', url: '/api/api-keys', body: { name: 'k', readOnly: 'yes' } }),
    status: 400, code: 'validation_failed', issue: { location: 'body', path: 'readOnly' },
  },
  {
    name: 'wrong type: body is an array',
    request: () => ({ method: 'POST', url: '/api/teams', body: [{ name: 'x' }] }),
    status: 400, code: 'validation_failed', issue: { location: 'body', path: '(root)' },
  },
  {
    name: 'wrong value: unknown enum in query',
    request: () => ({ method: 'GET', url: '/api/audit?outcome=maybe' }),
    status: 400, code: 'validation_failed', issue: { location: 'query', path: 'outcome' },
  },
  {
    name: 'wrong type: non-numeric id in path',
    request: () => ({ method: 'GET', url: '/api/users/abc' }),
    status: 400, code: 'validation_failed', issue: { location: 'params', path: 'id' },
  },
  {
    name: 'wrong value: negative id in path',
    request: () => ({ method: 'DELETE', url: '/api/teams/-1' }),
    status: 400, code: 'validation_failed', issue: { location: 'params', path: 'id' },
  },
  {
    name: 'wrong value: id beyond 32 bits',
    request: () => ({ method: 'GET', url: '/api/environments/2147483648' }),
    status: 400, code: 'validation_failed', issue: { location: 'params', path: 'id' },
  },
  {
    name: 'wrong value: expiry in the past',
    request: () => ({ method: 'POST', url: '/api/api-keys', body: { name: 'old', expiresAt: '2000-01-01T00:00:00Z' } }),
    status: 400, code: 'validation_failed', issue: { location: 'body', path: 'expiresAt' },
  },
  // Unknown fields
  {
    name: 'unknown field in body',
    request: () => ({ method: 'POST', url: '/api/teams', body: { name: 'extra-team', bogus: 1 } }),
    status: 400, code: 'validation_failed', issue: { location: 'body', path: '(root)', message: /unknown field "bogus"/ }, detail: /unknown field "bogus"/,
  },
  {
    name: 'unknown fields in body (PATCH user)',
    request: (f) => ({ method: 'PATCH', url: `/api/users/${f.adminId}`, body: { unlock: true, isRoot: true, god: 1 } }),
    status: 400, code: 'validation_failed', issue: { location: 'body', path: '(root)', message: /unknown fields "isRoot", "god"/ },
  },
  {
    name: 'unknown field in a nested object',
    request: (f) => ({
      method: 'POST', url: '/api/roles/assignments',
      body: { principal: { type: 'user', id: f.adminId, extra: 1 }, scope: { type: 'environment', id: f.environmentId }, role: ROLE },
    }),
    status: 400, code: 'validation_failed', issue: { location: 'body', path: 'principal', message: /unknown field "extra"/ },
  },
  {
    name: 'unknown field in query',
    request: () => ({ method: 'GET', url: '/api/teams?sort=name' }),
    status: 400, code: 'validation_failed', issue: { location: 'query', path: '(root)', message: /unknown field "sort"/ },
  },
  {
    name: 'unknown field on an empty-body route',
    request: () => ({ method: 'POST', url: '/api/auth/logout', body: { everywhere: true } }),
    status: 400, code: 'validation_failed', issue: { location: 'body', path: '(root)', message: /unknown field "everywhere"/ },
  },
  // Oversized bodies
  {
    name: 'oversized body (> 1 MiB)',
    request: () => ({ method: 'POST', url: '/api/teams', payload: JSON.stringify({ name: 'x'.repeat(BODY_LIMIT + 1) }) }),
    status: 413, code: 'payload_too_large',
  },
  {
    name: 'oversized body, unauthenticated login',
    request: () => ({ method: 'POST', url: '/api/auth/login', token: undefined, payload: JSON.stringify({ username: 'u', password: 'p'.repeat(2 * BODY_LIMIT) }) }),
    status: 413, code: 'payload_too_large',
  },
  {
    name: 'oversized body on a DELETE',
    request: (f) => ({ method: 'DELETE', url: `/api/teams/${f.teamId}`, payload: JSON.stringify({ pad: 'x'.repeat(BODY_LIMIT + 1) }) }),
    status: 413, code: 'payload_too_large',
  },
  // Wrong content types
  {
    name: 'text/plain body to a JSON route',
    request: () => ({ method: 'POST', url: '/api/teams', payload: '{"name":"plain-team"}', headers: { 'content-type': 'text/plain' } }),
    status: 415, code: 'unsupported_media_type',
  },
  {
    name: 'text/plain body to a PATCH',
    request: (f) => ({ method: 'PATCH', url: `/api/environments/${f.environmentId}`, payload: 'mode=async', headers: { 'content-type': 'text/plain; charset=utf-8' } }),
    status: 415, code: 'unsupported_media_type',
  },
  {
    name: 'form-encoded body',
    request: () => ({ method: 'POST', url: '/api/teams', payload: 'name=form-team', headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
    status: 415, code: 'unsupported_media_type',
  },
  {
    name: 'XML body',
    request: () => ({ method: 'POST', url: '/api/teams', payload: '<team><name>x</name></team>', headers: { 'content-type': 'application/xml' } }),
    status: 415, code: 'unsupported_media_type',
  },
  // Bad credentials
  {
    name: 'wrong password',
    request: () => ({ method: 'POST', url: '/api/auth/login', token: undefined, body: { username: ADMIN.username, password: 'not the password' } }),
    status: 401, code: 'invalid_credentials',
  },
  {
    name: 'unknown user',
    request: () => ({ method: 'POST', url: '/api/auth/login', token: undefined, body: { username: 'nobody-here', password: 'whatever-password' } }),
    status: 401, code: 'invalid_credentials',
  },
  {
    name: 'empty password is a validation error, not a login attempt',
    request: () => ({ method: 'POST', url: '/api/auth/login', token: undefined, body: { username: ADMIN.username, password: '' } }),
    status: 400, code: 'validation_failed', issue: { location: 'body', path: 'password' },
  },
  // Unknown ids
  ...(
    [
      ['GET', '/api/users/:missing'],
      ['PATCH', '/api/users/:missing', { unlock: true }],
      ['DELETE', '/api/users/:missing'],
      ['PUT', '/api/users/:missing/password', { newPassword: GOOD_PASSWORD }],
      ['GET', '/api/teams/:missing'],
      ['PATCH', '/api/teams/:missing', { name: 'renamed' }],
      ['DELETE', '/api/teams/:missing'],
      ['PUT', '/api/teams/:missing/members/:admin'],
      ['DELETE', '/api/teams/:missing/members/:admin'],
      ['PUT', '/api/teams/:team/members/:missing'],
      ['DELETE', '/api/teams/:team/members/:missing'],
      ['POST', '/api/teams', { name: 'ghost-members', memberIds: [MISSING] }],
      ['GET', '/api/environments/:missing'],
      ['PATCH', '/api/environments/:missing', { mode: 'async' }],
      ['DELETE', '/api/environments/:missing'],
      ['POST', '/api/environments', { name: 'ghost-group', groupId: MISSING }],
      ['POST', '/api/environments', { name: 'ghost-tag', tagIds: [MISSING] }],
      ['GET', '/api/environments/groups/:missing'],
      ['PATCH', '/api/environments/groups/:missing', { description: 'd' }],
      ['DELETE', '/api/environments/groups/:missing'],
      ['DELETE', '/api/environments/tags/:missing'],
      ['DELETE', '/api/api-keys/:missing'],
      ['DELETE', '/api/roles/assignments/:missing'],
      ['POST', '/api/roles/assignments', { principal: { type: 'user', id: ':admin' }, scope: { type: 'environment', id: ':missing' }, role: ROLE }],
      ['POST', '/api/roles/assignments', { principal: { type: 'user', id: ':missing' }, scope: { type: 'environment', id: ':env' }, role: ROLE }],
      ['POST', '/api/roles/assignments', { principal: { type: 'team', id: ':missing' }, scope: { type: 'group', id: ':missing' }, role: ROLE }],
      ['POST', '/api/environments/:missing/join-tokens', {}],
      ['GET', '/api/environments/:missing/agents'],
      ['POST', '/api/agents/:missing/revoke'],
      ['POST', '/api/agents/:missing/rotate', {}],
    ] as Array<[Call['method'], string, unknown?]>
  ).map(([method, url, body]): Case => {
    const fill = (s: string, f: Fixtures) =>
      s.replaceAll(':missing', String(MISSING)).replaceAll(':admin', String(f.adminId)).replaceAll(':team', String(f.teamId)).replaceAll(':env', String(f.environmentId));
    const fillBody = (v: unknown, f: Fixtures): unknown =>
      typeof v === 'string' && v.startsWith(':')
        ? Number(fill(v, f))
        : Array.isArray(v)
          ? v.map((x) => fillBody(x, f))
          : typeof v === 'object' && v !== null
            ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fillBody(x, f)]))
            : v;
    return {
      name: `unknown id: ${method} ${url}${body === undefined ? '' : ` ${JSON.stringify(body)}`}`,
      request: (f) => ({ method, url: fill(url, f), ...(body === undefined ? {} : { body: fillBody(body, f) }) }),
      status: 404,
      code: 'not_found',
    };
  }),
  // Agent enrolment: the token is the credential, the key must be a real Ed25519 key
  {
    name: 'enrol with a token that was never issued',
    request: () => ({ method: 'POST', url: '/api/agents/enrol', token: undefined, body: { token: `cjt_${'A'.repeat(43)}`, publicKey: ED25519_SPKI, hostname: 'h', agentVersion: '1' } }),
    status: 401, code: 'join_token_invalid',
  },
  {
    name: 'enrol with something that is not a join token',
    request: () => ({ method: 'POST', url: '/api/agents/enrol', token: undefined, body: { token: 'cap_not-a-join-token', publicKey: ED25519_SPKI, hostname: 'h', agentVersion: '1' } }),
    status: 401, code: 'join_token_invalid',
  },
  {
    name: 'enrol with a key that is not Ed25519',
    request: () => ({ method: 'POST', url: '/api/agents/enrol', token: undefined, body: { token: `cjt_${'A'.repeat(43)}`, publicKey: 'AAAA', hostname: 'h', agentVersion: '1' } }),
    status: 400, code: 'validation_failed', issue: { location: 'body', path: 'publicKey' },
  },
  // Agent polls: the signature over a server nonce is the credential
  {
    name: 'poll without a signed nonce',
    request: () => ({ method: 'POST', url: '/api/agents/poll', token: undefined, body: { agentId: 1, protocolVersion: 1, agentVersion: '1', lastCompletedSeq: 0, accepted: [], results: [] } }),
    status: 401, code: 'challenge_required',
  },
  {
    name: 'poll with a nonce this server never issued',
    request: () => ({ method: 'POST', url: '/api/agents/poll', token: undefined, body: { agentId: 1, nonce: 'A'.repeat(43), signature: 'A'.repeat(86), protocolVersion: 1, agentVersion: '1', lastCompletedSeq: 0, accepted: [], results: [] } }),
    status: 401, code: 'challenge_required',
  },
  {
    name: 'poll with a malformed signature',
    request: () => ({ method: 'POST', url: '/api/agents/poll', token: undefined, body: { agentId: 1, nonce: 'A'.repeat(43), signature: 'short', protocolVersion: 1, agentVersion: '1', lastCompletedSeq: 0, accepted: [], results: [] } }),
    status: 400, code: 'validation_failed', issue: { location: 'body', path: 'signature' },
  },
  {
    name: 'join token lifetime below the minimum',
    request: (f) => ({ method: 'POST', url: `/api/environments/${f.environmentId}/join-tokens`, body: { ttl: 5 } }),
    status: 400, code: 'validation_failed', issue: { location: 'body', path: 'ttl' },
  },
  // Unknown routes
  { name: 'unknown route', request: () => ({ method: 'GET', url: '/api/nope' }), status: 404, code: 'route_not_found' },
  { name: 'unknown sub-resource', request: (f) => ({ method: 'POST', url: `/api/users/${f.adminId}/frobnicate`, body: {} }), status: 404, code: 'route_not_found' },
  { name: 'unknown method on a known path', request: () => ({ method: 'PUT', url: '/api/users', body: {} }), status: 404, code: 'route_not_found' },
  { name: 'unknown route, unauthenticated', request: () => ({ method: 'DELETE', url: '/api/everything', token: undefined }), status: 404, code: 'route_not_found' },
  // Bad bearer tokens and cookies
  { name: 'bearer garbage', request: () => ({ method: 'GET', url: '/api/users', token: 'garbage' }), status: 401, code: 'unauthenticated' },
  { name: 'bearer three dotted parts', request: () => ({ method: 'GET', url: '/api/users', token: 'a.b.c' }), status: 401, code: 'unauthenticated' },
  {
    name: 'bearer with a forged signature',
    request: (f) => ({ method: 'GET', url: '/api/users', token: `${f.token.split('.').slice(0, 2).join('.')}.${'A'.repeat(43)}` }),
    status: 401, code: 'unauthenticated',
  },
  {
    name: 'bearer with alg none',
    request: (f) => {
      const [, payload] = f.token.split('.');
      const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
      return { method: 'GET', url: '/api/users', token: `${header}.${payload ?? ''}.` };
    },
    status: 401, code: 'unauthenticated',
  },
  { name: 'bearer with no token', request: () => ({ method: 'GET', url: '/api/users', token: undefined, headers: { authorization: 'Bearer ' } }), status: 401, code: 'unauthenticated' },
  { name: 'basic auth instead of bearer', request: () => ({ method: 'GET', url: '/api/users', token: undefined, headers: { authorization: 'Basic YWRtaW46YWRtaW4=' } }), status: 401, code: 'unauthenticated' },
  { name: 'mutating call with bearer garbage', request: () => ({ method: 'POST', url: '/api/teams', token: 'x'.repeat(5000), body: { name: 'nope' } }), status: 401, code: 'unauthenticated' },
  { name: 'session cookie garbage', request: () => ({ method: 'GET', url: '/api/auth/me', token: undefined, headers: { cookie: 'capstan_session=garbage' } }), status: 401, code: 'unauthenticated' },
  {
    name: 'session cookie with a broken percent-escape',
    request: () => ({ method: 'GET', url: '/api/auth/me', token: undefined, headers: { cookie: 'capstan_session=%E0%A4%A' } }),
    status: 401, code: 'unauthenticated',
  },
  // Bad API keys
  { name: 'X-API-Key garbage', request: () => ({ method: 'GET', url: '/api/environments', token: undefined, apiKey: 'garbage' }), status: 401, code: 'api_key_invalid' },
  { name: 'X-API-Key look-alike', request: () => ({ method: 'GET', url: '/api/environments', token: undefined, apiKey: `cap_${'A'.repeat(43)}` }), status: 401, code: 'api_key_invalid' },
  { name: 'X-API-Key very long', request: () => ({ method: 'GET', url: '/api/environments', token: undefined, apiKey: `cap_${'z'.repeat(10_000)}` }), status: 401, code: 'api_key_invalid' },
  { name: 'X-API-Key garbage wins over a good bearer', request: () => ({ method: 'GET', url: '/api/environments', apiKey: 'garbage' }), status: 401, code: 'api_key_invalid' },
  { name: 'X-API-Key garbage on a mutating call', request: () => ({ method: 'DELETE', url: '/api/teams/1', token: undefined, apiKey: 'garbage' }), status: 401, code: 'api_key_invalid' },
  // Paging
  ...(
    [
      ['/api/users?limit=0', 'limit'],
      ['/api/users?limit=abc', 'limit'],
      ['/api/users?limit=', 'limit'],
      ['/api/users?limit=1001', 'limit'],
      ['/api/users?limit=1.5', 'limit'],
      ['/api/users?limit=1&limit=2', 'limit'],
      ['/api/users?offset=-1', 'offset'],
      ['/api/teams?limit=0', 'limit'],
      ['/api/environments?limit=abc', 'limit'],
      ['/api/audit?limit=0', 'limit'],
      ['/api/audit?offset=10000001', 'offset'],
    ] as const
  ).map(([url, path]): Case => ({
    name: `paging: GET ${url}`,
    request: () => ({ method: 'GET', url }),
    status: 400,
    code: 'validation_failed',
    issue: { location: 'query', path },
  })),
  // NUL bytes are valid JSON and UTF-8 but PostgreSQL text cannot hold them: refused on every route, naming the field.
  {
    name: 'NUL byte in a search filter',
    request: () => ({ method: 'GET', url: '/api/users?search=%00' }),
    status: 400, code: 'validation_failed', issue: { location: 'query', path: 'search' },
  },
  {
    name: 'NUL byte in an audit filter',
    request: () => ({ method: 'GET', url: '/api/audit?action=x%00' }),
    status: 400, code: 'validation_failed', issue: { location: 'query', path: 'action' },
  },
  {
    name: 'NUL byte in a login username',
    request: () => ({ method: 'POST', url: '/api/auth/login', token: undefined, body: { username: 'nul\u0000user', password: 'whatever-password' } }),
    status: 400, code: 'validation_failed', issue: { location: 'body', path: 'username' },
  },
  {
    name: 'NUL byte in a group description',
    request: () => ({ method: 'POST', url: '/api/environments/groups', body: { name: 'nul-group', description: 'a\u0000b' } }),
    status: 400, code: 'validation_failed', issue: { location: 'body', path: 'description' },
  },
  // URLs the router cannot decode
  { name: 'broken percent-escape in a path parameter', request: () => ({ method: 'GET', url: '/api/users/%zz' }), status: [400, 404] },
  { name: 'path parameter longer than the router allows', request: () => ({ method: 'GET', url: `/api/users/${'1'.repeat(120)}` }), status: [400, 404] },
];

describe.each(DIALECTS)('bad input: deterministic refusals (%s)', (dialect) => {
  let h: Harness;
  const f: Fixtures = { token: '', adminId: 0, environmentId: 0, teamId: 0 };

  beforeAll(async () => {
    h = await createHarness(dialect);
    f.token = await h.setupAdmin();
    const me = await h.call({ method: 'GET', url: '/api/auth/me', token: f.token });
    f.adminId = me.body.user.id as number;
    const env = await h.call({ method: 'POST', url: '/api/environments', token: f.token, body: { name: 'det-env' } });
    expect(env.status, JSON.stringify(env.body)).toBe(201);
    f.environmentId = env.body.id as number;
    const team = await h.call({ method: 'POST', url: '/api/teams', token: f.token, body: { name: 'det-team' } });
    expect(team.status, JSON.stringify(team.body)).toBe(201);
    f.teamId = team.body.id as number;
  });
  afterAll(async () => {
    await h?.close();
  });

  it.each(CASES)('$name', async (c) => {
    const req: Call = { token: f.token, ...c.request(f) };
    const a = await bounded(h, req);
    const seen = `${req.method} ${truncate(req.url, 120)} → ${describeAnswer(a)}`;
    const statuses: readonly number[] = typeof c.status === 'number' ? [c.status] : c.status;
    expect(statuses, seen).toContain(a.status);
    expect(violations(a), seen).toEqual([]);
    if (a.status >= 400) {
      if (c.code) expect(a.body.code, seen).toBe(c.code);
      if (c.issue) {
        const { message, ...where } = c.issue;
        const issues = (a.body.issues ?? []) as Array<{ location: string; path: string; message: string }>;
        expect(issues, seen).toContainEqual(
          expect.objectContaining({ ...where, ...(message ? { message: expect.stringMatching(message) } : {}) }),
        );
      }
      if (c.detail) expect(a.body.detail, seen).toMatch(c.detail);
    }
  });

  it('still works afterwards, and audited every mutating call, refused ones included', async () => {
    const login = await h.call({ method: 'POST', url: '/api/auth/login', body: ADMIN });
    expect(login.status, JSON.stringify(login.body)).toBe(200);
    const users = await h.call({ method: 'GET', url: '/api/users', token: login.body.token as string });
    expect((users.body.items as Array<{ username: string }>).map((u) => u.username)).toContain(ADMIN.username);
    await h.expectAllAudited();
  });
});
