/**
 * End to end on Workers: `wrangler dev` (workerd with local Durable Objects and their SQLite
 * storage) over HTTP: enroll, identify, restart, and the galleries are still there.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { call, KEYS, syntheticPayloads, testKeyRecords, testProfiles, type Fetcher } from './fixtures.js';
import { startWranglerDev, type WranglerDev } from './wrangler-dev.js';

describe('wrangler dev (real workerd process)', () => {
  const persistTo = mkdtempSync(join(tmpdir(), 'facevq-wrangler-'));
  const running: WranglerDev[] = [];
  afterAll(async () => {
    for (const w of running) await w.stop();
    rmSync(persistTo, { recursive: true, force: true });
  });

  it('enrolls and identifies over HTTP, and keeps galleries across a restart', async () => {
    const vars = { FACEVQ_KEYS: JSON.stringify(await testKeyRecords()), FACEVQ_RATE: 'off' };
    const start = async () => {
      const w = await startWranglerDev({ entry: 'test/workers/entry.ts', persistTo, vars });
      running.push(w);
      return w;
    };
    const { m } = testProfiles();
    const source = syntheticPayloads(m, 20);
    const first = await start();
    const http: Fetcher = (path, init) => fetch(first.url + path, init);
    for (const person of source.people) {
      const r = await call(http, 'POST', `/v1/galleries/staff/subjects/${person}/enroll`, { key: KEYS.aWrite, body: source.capture(person, 0) });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    }
    const identifyAll = async (f: Fetcher) => {
      let correct = 0;
      for (const person of source.people) {
        const r = await call(f, 'POST', '/v1/galleries/staff/identify?k=3', { key: KEYS.aRead, body: source.capture(person, 1) });
        expect(r.status).toBe(200);
        if (r.body.candidates[0].subject === person) correct++;
      }
      return correct / source.people.length;
    };
    expect(await identifyAll(http)).toBeGreaterThanOrEqual(0.95);
    expect(await call(http, 'GET', '/v1/galleries/staff', { key: KEYS.bWrite })).toMatchObject({ status: 404 });
    await first.stop();

    const second = await start();
    const again: Fetcher = (path, init) => fetch(second.url + path, init);
    expect(await call(again, 'GET', '/v1/galleries/staff', { key: KEYS.aRead })).toMatchObject({ status: 200, body: { subjects: 20 } });
    expect(await identifyAll(again)).toBeGreaterThanOrEqual(0.95);
  });
});
