/**
 * End to end on Node: a real `facevq serve` process over HTTP, enrollment and identification, a
 * crash (`kill -9` of the whole process group) and a restart that still finds every acknowledged
 * enrollment (one after the last answer, then in the middle of a burst of concurrent enrollments),
 * and `facevq keys create` against the same database.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { firstKeyFileOf } from '../../src/cli/first-key.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { call, type Fetcher } from './fixtures.js';
import { e2eSetup } from './e2e-source.js';
import { CLI, kill9, ROOT, startServer, type Server } from './node-server.js';

const fetcherFor = (url: string): Fetcher => (path, init) => fetch(url + path, init);

describe('facevq serve (real process)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'facevq-e2e-'));
  const db = join(dir, 'facevq.db');
  const setup = e2eSetup();
  const running: Server[] = [];
  afterAll(() => {
    for (const s of running) if (s.child.exitCode === null && s.child.signalCode === null) try { process.kill(-s.child.pid!, 'SIGKILL'); } catch { /* gone */ }
    rmSync(dir, { recursive: true, force: true });
    rmSync(setup.profilesDir, { recursive: true, force: true });
  });

  it('enrolls and identifies over HTTP, and keeps acknowledged enrollments through kill -9', async () => {
    const first = await startServer(db, setup.profilesDir);
    running.push(first);
    // stdout is a pipe, so the first key is in a mode-0600 file and not in the output.
    expect(first.output).not.toMatch(/fvq_[A-Za-z0-9_-]{43}/);
    expect(statSync(firstKeyFileOf(db)).mode & 0o777).toBe(0o600);
    const key = readFileSync(firstKeyFileOf(db), 'utf8').trim();
    expect(key).toMatch(/^fvq_[A-Za-z0-9_-]{43}$/);
    const http = fetcherFor(first.url);
    const { source } = setup;
    for (const person of source.people) {
      const r = await call(http, 'POST', `/v1/galleries/staff/subjects/${person}/enroll`, { key, body: source.capture(person, 0) });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    }
    const identifyAll = async (f: Fetcher) => {
      let correct = 0;
      for (const person of source.people) {
        const r = await call(f, 'POST', '/v1/galleries/staff/identify?k=3', { key, body: source.capture(person, 1) });
        expect(r.status).toBe(200);
        if (r.body.candidates[0].subject === person) correct++;
      }
      return correct / source.people.length;
    };
    expect(await identifyAll(http)).toBeGreaterThanOrEqual(0.95);
    // The last enrollment is acknowledged, then the process dies without any chance to flush.
    const last = await call(http, 'POST', '/v1/galleries/staff/subjects/late-arrival/enroll', { key, body: source.capture(source.people[0]!, 2) });
    expect(last.status).toBe(201);
    await kill9(first);

    // A key made offline with the CLI against the same database.
    const made = spawnSync('npx', [...CLI, 'keys', 'create', '--tenant', 'other', '--scope', 'read', '--db', db], { cwd: ROOT, encoding: 'utf8' });
    expect(made.status, made.stderr).toBe(0);
    const otherKey = made.stdout.trim();
    expect(otherKey).toMatch(/^fvq_/);

    const second = await startServer(db, setup.profilesDir);
    running.push(second);
    expect(second.output).not.toContain('created the first API key');
    const again = fetcherFor(second.url);
    const list = await call(again, 'GET', '/v1/galleries/staff/subjects?limit=1000', { key });
    expect(list.body.subjects.map((s: { id: string }) => s.id)).toContain('late-arrival');
    expect(list.body.subjects).toHaveLength(source.people.length + 1);
    expect(await identifyAll(again)).toBeGreaterThanOrEqual(0.95);
    expect(await call(again, 'GET', '/v1/galleries/staff', { key: otherKey })).toMatchObject({ status: 404 });
    expect(await call(again, 'GET', '/v1/galleries/staff', { key: 'fvq_wrong' })).toMatchObject({ status: 401 });
    const metrics = await (await fetch(`${second.url}/metrics`)).text();
    expect(metrics).toContain('route="/v1/galleries/:gallery/identify",status="200"');

    // A burst: 8 clients enroll new subjects (committed in batches by the writer thread) while
    // 4 identify; kill -9 lands while enrollments are in flight. Every one acknowledged is there
    // after the restart; one in flight may or may not be, nothing else is.
    const acknowledged = new Set<string>();
    const attempted = new Set<string>();
    let n = 0;
    let stop = false;
    const enroller = async () => {
      while (!stop) {
        const id = `burst-${n++}`;
        attempted.add(id);
        const r = await call(again, 'POST', `/v1/galleries/staff/subjects/${id}/enroll`, { key, body: source.capture(source.people[n % source.people.length]!, 3 + n) }).catch(() => null);
        if (r?.status === 201) acknowledged.add(id);
      }
    };
    const identifier = async () => {
      while (!stop) await call(again, 'POST', '/v1/galleries/staff/identify?k=1', { key, body: source.capture(source.people[0]!, 1) }).catch(() => null);
    };
    const clients = [...Array.from({ length: 8 }, enroller), ...Array.from({ length: 4 }, identifier)];
    const deadline = Date.now() + 20_000;
    while (acknowledged.size < 150 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await kill9(second);
    stop = true;
    await Promise.all(clients);
    expect(acknowledged.size).toBeGreaterThanOrEqual(20);
    expect(attempted.size).toBeGreaterThan(acknowledged.size); // some were in flight at the kill

    const third = await startServer(db, setup.profilesDir);
    running.push(third);
    const after = await call(fetcherFor(third.url), 'GET', '/v1/galleries/staff/subjects?limit=1000', { key });
    const present = new Set<string>(after.body.subjects.map((s: { id: string }) => s.id).filter((id: string) => id.startsWith('burst-')));
    expect([...acknowledged].filter((id) => !present.has(id))).toEqual([]);
    expect([...present].filter((id) => !attempted.has(id))).toEqual([]);
    await kill9(third);
  });
});
