/**
 * 405 instead of 404 for a path that exists under other methods: the methods the app's routes
 * answer at a path, for the `Allow` header (RFC 9110 §15.5.6). Hono's router is not asked: its
 * route list is matched here, compiled once, on the rare request that found no route.
 */
import type { Env, Hono } from 'hono';

/** A route path (`/v1/galleries/:gallery`) as a regular expression over request paths. */
function pathPattern(path: string): RegExp {
  const source = path
    .split('/')
    .map((part) => (part.startsWith(':') ? '[^/]+' : part === '*' ? '.*' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${source}/?$`);
}

/** Returns a function giving the methods `app` answers at a path (empty when none). */
export function allowedMethods<E extends Env>(app: Hono<E>): (path: string) => string[] {
  let routes: { method: string; pattern: RegExp }[] | undefined;
  return (path) => {
    routes ??= app.routes.filter((r) => r.method !== 'ALL').map((r) => ({ method: r.method, pattern: pathPattern(r.path) }));
    const methods = new Set(routes.filter((r) => r.pattern.test(path)).map((r) => r.method));
    if (methods.has('GET')) methods.add('HEAD');
    return [...methods].sort();
  };
}
