import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus figures for one server: requests, latencies, database timings, process. */
export class Metrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly latency: Histogram<'method' | 'route'>;
  private readonly queries: Histogram<'database'>;

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'capstan_' });
    this.requests = new Counter({
      name: 'capstan_http_requests_total',
      help: 'HTTP requests answered, by route template and status',
      labelNames: ['method', 'route', 'status'],
      registers: [this.registry],
    });
    this.latency = new Histogram({
      name: 'capstan_http_request_duration_seconds',
      help: 'Time to answer HTTP requests',
      labelNames: ['method', 'route'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [this.registry],
    });
    this.queries = new Histogram({
      name: 'capstan_db_query_duration_seconds',
      help: 'Database query time, by database (main or audit)',
      labelNames: ['database'],
      buckets: [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1],
      registers: [this.registry],
    });
  }

  /** Records one answered request; `route` is the template (`/api/users/:id`) to keep cardinality bounded. */
  observeRequest(method: string, route: string, status: number, seconds: number): void {
    this.requests.inc({ method, route, status: String(status) });
    this.latency.observe({ method, route }, seconds);
  }

  observeQuery(database: 'main' | 'audit', millis: number): void {
    this.queries.observe({ database }, millis / 1000);
  }

  /** The exposition text and its content type. */
  async render(): Promise<{ text: string; contentType: string }> {
    return { text: await this.registry.metrics(), contentType: this.registry.contentType };
  }
}
