/**
 * Prometheus metrics (text exposition format 0.0.4): requests by method, route and status, and a
 * latency histogram by route. Runtime-free, but only the Node adapter mounts it (`GET /metrics`);
 * on Workers, Cloudflare's own analytics cover this.
 */
import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';

/** Histogram bucket bounds in seconds. */
export const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

interface Histogram {
  counts: number[];
  sum: number;
  count: number;
}

const label = (v: string): string => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/** Request counters and latency histograms. */
export class Metrics {
  private readonly requests = new Map<string, number>();
  private readonly latency = new Map<string, Histogram>();

  /** Records one request. */
  observe(method: string, route: string, status: number, seconds: number): void {
    const key = `method="${label(method)}",route="${label(route)}",status="${status}"`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
    const hkey = `route="${label(route)}"`;
    let h = this.latency.get(hkey);
    if (!h) this.latency.set(hkey, (h = { counts: LATENCY_BUCKETS.map(() => 0), sum: 0, count: 0 }));
    for (let i = 0; i < LATENCY_BUCKETS.length; i++) if (seconds <= LATENCY_BUCKETS[i]!) h.counts[i]!++;
    h.sum += seconds;
    h.count++;
  }

  /** Middleware recording every request under its matched route pattern. */
  middleware(): MiddlewareHandler {
    return async (c, next) => {
      const start = performance.now();
      await next();
      const route = routePath(c);
      this.observe(c.req.method, route.endsWith('*') ? 'unmatched' : route, c.res.status, (performance.now() - start) / 1000);
    };
  }

  /** The exposition text. */
  render(): string {
    const lines = [
      '# HELP facevq_http_requests_total HTTP requests by method, route and status.',
      '# TYPE facevq_http_requests_total counter',
      ...[...this.requests].map(([k, v]) => `facevq_http_requests_total{${k}} ${v}`),
      '# HELP facevq_http_request_duration_seconds Time from request to response.',
      '# TYPE facevq_http_request_duration_seconds histogram',
    ];
    for (const [k, h] of this.latency) {
      LATENCY_BUCKETS.forEach((le, i) => lines.push(`facevq_http_request_duration_seconds_bucket{${k},le="${le}"} ${h.counts[i]}`));
      lines.push(`facevq_http_request_duration_seconds_bucket{${k},le="+Inf"} ${h.count}`);
      lines.push(`facevq_http_request_duration_seconds_sum{${k}} ${h.sum}`);
      lines.push(`facevq_http_request_duration_seconds_count{${k}} ${h.count}`);
    }
    return `${lines.join('\n')}\n`;
  }
}
