import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/worker/app.js';
import { hashKey } from '../../src/worker/auth/keys.js';
import { compileScanModule } from '../../src/worker/match/kernels.js';
import { Metrics } from '../../src/worker/metrics.js';
import { createMemoryStore } from '../../src/worker/store/memory.js';
import { openDatabase, SqliteStore } from '../../src/worker/store/sqlite-node.js';
import { appSuite } from './app-suite.js';
import { OpenApiRecorder } from './openapi-check.js';
import { call, KEYS, syntheticPayloads, testKeyRecords, testKeyStore, testProfiles } from './fixtures.js';

const { m, s, registry } = testProfiles();
const openApi = new OpenApiRecorder();
afterAll(() => {
  expect(openApi.checked).toBeGreaterThan(100);
  expect(openApi.problems).toEqual([]);
});

appSuite('memory store', async () => {
  const app = createApp({ store: createMemoryStore({ wasm: compileScanModule() }), profiles: registry, keys: await testKeyStore(), limits: { rate: null } });
  return { fetch: openApi.wrap((path, init) => Promise.resolve(app.request(path, init))), m, s };
});

appSuite('SQLite store', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'facevq-app-'));
  const store = new SqliteStore(openDatabase(join(dir, 'db.sqlite')), { wasm: compileScanModule() });
  const app = createApp({ store, profiles: registry, keys: await testKeyStore(), limits: { rate: null } });
  return {
    fetch: openApi.wrap((path, init) => Promise.resolve(app.request(path, init))),
    m,
    s,
    close: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('service on Node only', () => {
  it('rate-limits per key with a token bucket', async () => {
    let now = 0;
    const app = createApp({ store: createMemoryStore(), profiles: registry, keys: await testKeyStore(), limits: { rate: { perSecond: 2, burst: 3 } }, clock: () => now });
    const fetch = (path: string, init: RequestInit) => Promise.resolve(app.request(path, init));
    for (let i = 0; i < 3; i++) expect((await call(fetch, 'GET', '/v1/profiles', { key: KEYS.aRead })).status).toBe(200);
    const limited = await call(fetch, 'GET', '/v1/profiles', { key: KEYS.aRead });
    expect(limited).toMatchObject({ status: 429, body: { error: { code: 'E_RATE_LIMITED' } } });
    expect(limited.headers.get('retry-after')).toBe('1');
    expect((await call(fetch, 'GET', '/v1/profiles', { key: KEYS.bWrite })).status).toBe(200); // other keys unaffected
    now += 500;
    expect((await call(fetch, 'GET', '/v1/profiles', { key: KEYS.aRead })).status).toBe(200);
  });

  it('limits per client address before the key is known, and per tenant over all its keys', async () => {
    let now = 0;
    const app = createApp({
      store: createMemoryStore(), profiles: registry, keys: await testKeyStore(), clock: () => now,
      clientAddress: (c) => c.req.header('x-test-address'),
      limits: { rate: { perSecond: 100, burst: 100 }, rateAddress: { perSecond: 1, burst: 3 }, rateTenant: { perSecond: 1, burst: 2 } },
    });
    const get = async (key: string | undefined, address: string) =>
      (await app.request('/v1/profiles', { headers: { 'x-test-address': address, ...(key && { authorization: `Bearer ${key}` }) } })).status;
    expect([await get('fvq_bad', '10.0.0.1'), await get(undefined, '10.0.0.1'), await get('fvq_bad', '10.0.0.1')]).toEqual([401, 401, 401]);
    expect(await get('fvq_bad', '10.0.0.1')).toBe(429); // the address is out of tokens, whatever the key
    expect(await get(KEYS.aRead, '10.0.0.1')).toBe(429);
    expect(await get('fvq_bad', '10.0.0.2')).toBe(401); // another address is not
    // Tenant A's two keys share the tenant's bucket of 2; tenant B has its own.
    expect([await get(KEYS.aRead, '10.0.1.1'), await get(KEYS.aWrite, '10.0.1.2'), await get(KEYS.aRead, '10.0.1.3')]).toEqual([200, 200, 429]);
    expect(await get(KEYS.bWrite, '10.0.1.4')).toBe(200);
    now += 1000;
    expect(await get(KEYS.aWrite, '10.0.1.5')).toBe(200);
  });

  it('serves Prometheus metrics by route and status', async () => {
    const metrics = new Metrics();
    const app = createApp({ store: createMemoryStore(), profiles: registry, keys: await testKeyStore(), metrics });
    const p = syntheticPayloads(m, 1).capture('person-0', 0);
    await app.request('/v1/galleries/x/identify', { method: 'POST', headers: { authorization: `Bearer ${KEYS.aRead}`, 'content-type': 'application/vnd.facevq' }, body: p as Uint8Array<ArrayBuffer> });
    await app.request('/healthz');
    const text = await (await app.request('/metrics')).text();
    expect(text).toContain('facevq_http_requests_total{method="POST",route="/v1/galleries/:gallery/identify",status="404"} 1');
    expect(text).toContain('facevq_http_requests_total{method="GET",route="/healthz",status="200"} 1');
    expect(text).toMatch(/facevq_http_request_duration_seconds_bucket\{route="\/healthz",le="\+Inf"\} 1/);
  });

  it('refuses a deleted key on its next request', async () => {
    const records = new Map((await testKeyRecords()).map((r) => [r.hash, r]));
    const app = createApp({ store: createMemoryStore(), profiles: registry, keys: { lookup: (hash) => records.get(hash) ?? null }, limits: { rate: null } });
    const fetch = (path: string, init: RequestInit) => Promise.resolve(app.request(path, init));
    expect((await call(fetch, 'GET', '/v1/profiles', { key: KEYS.aRead })).status).toBe(200);
    records.delete(hashKey(KEYS.aRead));
    expect(await call(fetch, 'GET', '/v1/profiles', { key: KEYS.aRead })).toMatchObject({ status: 401, body: { error: { code: 'E_UNAUTHORIZED' } } });
  });

  it('answers unexpected failures as E_INTERNAL without details', async () => {
    const errors: unknown[] = [];
    const store = createMemoryStore();
    store.info = () => Promise.reject(new Error('disk on fire'));
    const app = createApp({ store, profiles: registry, keys: await testKeyStore(), onInternalError: (e) => errors.push(e) });
    const r = await call((p, i) => Promise.resolve(app.request(p, i)), 'GET', '/v1/galleries/x', { key: KEYS.aRead });
    expect(r).toMatchObject({ status: 500, body: { error: { code: 'E_INTERNAL', message: 'internal error' } } });
    expect(errors).toHaveLength(1);
  });
});
