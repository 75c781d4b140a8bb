import { describe, expect, it } from 'vitest';
import { encodeGrid } from '../codec/index.js';
import { makeRng } from '../codec/_testing.js';
import { createApp } from '../worker/app.js';
import { createMemoryStore } from '../worker/store/memory.js';
import { KEYS, syntheticPayloads, testKeyStore, testProfiles } from '../../test/worker/fixtures.js';
import { backoffDelay, MatcherClient, MatcherError } from './client.js';

const { m, s, registry } = testProfiles();

/** A client over an in-process app: fetch is a shim over `app.request`. */
async function setup(key: string = KEYS.aWrite, limits: Parameters<typeof createApp>[0]['limits'] = { rate: null }) {
  const app = createApp({ store: createMemoryStore(), profiles: registry, keys: await testKeyStore(), limits });
  const calls: { method: string; url: string; type: string | null }[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const req = new Request(input, init);
    calls.push({ method: req.method, url: req.url, type: req.headers.get('content-type') });
    return app.request(req);
  };
  return { client: new MatcherClient({ baseUrl: 'http://matcher.test/', apiKey: key, fetch }), calls };
}

const people = syntheticPayloads(m, 6);

describe('MatcherClient against the service', () => {
  it('healthz and profiles', async () => {
    const { client } = await setup();
    expect(await client.healthz()).toEqual({ ok: true, profiles: expect.arrayContaining([m.name, s.name]) });
    const profiles = await client.profiles();
    expect(profiles.map((p) => p.name).sort()).toEqual([m.name, s.name].sort());
    expect(profiles.find((p) => p.name === m.name)!.grid).toEqual({ h: m.h, w: m.w, k: m.planes.map((p) => p.k), dim: m.planes.map((p) => p.dim) });
  });

  it('enrolls one payload raw and many in the batch envelope', async () => {
    const { client, calls } = await setup();
    const first = await client.enroll('g1', 'person-0', people.capture('person-0', 0));
    expect(first).toMatchObject({ gallery: 'g1', profile: m.name, added: 1, rejected: [], created: true, subject: { id: 'person-0', embeddings: 1 } });
    expect(calls.at(-1)).toMatchObject({ method: 'POST', url: 'http://matcher.test/v1/galleries/g1/subjects/person-0/enroll', type: 'application/vnd.facevq' });
    const more = await client.enroll('g1', 'person-0', [people.capture('person-0', 1), people.capture('person-0', 2)]);
    expect(more).toMatchObject({ added: 2, created: false, subject: { embeddings: 3 } });
    expect(calls.at(-1)!.type).toBe('application/vnd.facevq.batch+msgpack');
    const bad = people.capture('person-0', 3).slice();
    bad[2]! ^= 0xff; // break the check byte
    const partial = await client.enroll('g1', 'person-0', [{ id: 'good', payload: people.capture('person-0', 4) }, { id: 'bad', payload: bad }]);
    expect(partial.added).toBe(1);
    expect(partial.rejected).toEqual([{ id: 'bad', code: 'E_CHECK', message: expect.any(String) }]);
  });

  it('identifies, verifies, embeds, lists, pages and deletes', async () => {
    const { client } = await setup();
    for (const p of people.people) await client.enroll('g1', p, people.capture(p, 0));
    const probe = people.capture('person-3', 1);
    const id = await client.identify('g1', probe, { k: 3, far: 0.001 });
    expect(id.candidates).toHaveLength(3);
    expect(id.candidates[0]!.subject).toBe('person-3');
    expect(id).toMatchObject({ gallery: 'g1', profile: m.name, far: 0.001, threshold: m.thresholds.far1e3 });
    const byThreshold = await client.identify('g1', probe, { threshold: 0.99, precision: 'i8' });
    expect(byThreshold.far).toBeNull();
    const v = await client.verify('g1', 'person-3', probe);
    expect(v).toMatchObject({ gallery: 'g1', subject: 'person-3', profile: m.name });
    expect(v.score).toBeCloseTo(id.candidates[0]!.score, 5);

    const e = await client.embed(probe);
    expect(e).toMatchObject({ profile: m.name, dim: m.head.dim });
    expect(e.embedding).toHaveLength(m.head.dim);
    const many = await client.embedMany([probe, new Uint8Array([1, 2, 3])]);
    expect(many[0]).toMatchObject({ id: '0', profile: m.name });
    expect(many[1]).toMatchObject({ id: '1', error: { code: expect.any(String) } });

    const page = await client.listSubjects('g1', { limit: 4 });
    expect(page.subjects.map((x) => x.id)).toEqual(people.people.slice(0, 4));
    expect(page.nextCursor).not.toBeNull();
    const all: string[] = [];
    for await (const subject of client.subjects('g1', { pageSize: 4 })) all.push(subject.id);
    expect(all).toEqual(people.people);
    expect(await client.gallery('g1')).toMatchObject({ gallery: 'g1', subjects: 6, dim: m.head.dim });

    await client.deleteSubject('g1', 'person-3');
    await expect(client.verify('g1', 'person-3', probe)).rejects.toMatchObject({ status: 404, code: 'E_NOT_FOUND' });
    await client.deleteGallery('g1');
    await expect(client.gallery('g1')).rejects.toMatchObject({ status: 404, code: 'E_NOT_FOUND' });
  });

  it('turns service errors into MatcherError with their codes', async () => {
    const { client } = await setup();
    await client.enroll('g2', 'a', people.capture('person-0', 0));
    const other = encodeGrid(Uint16Array.from({ length: s.gridLength }, (_, n) => makeRng(n).int(s.planes[n % s.planes.length]!.k)), s);
    await expect(client.identify('g2', other)).rejects.toMatchObject({ status: 409, code: 'E_PROFILE_MISMATCH' });
    await expect(client.identify('g2', new Uint8Array([0x10, 0, 0]))).rejects.toMatchObject({ status: 422 });
    const error = await client.identify('g2', people.capture('person-0', 1), { k: 0 }).catch((x: unknown) => x);
    expect(error).toBeInstanceOf(MatcherError);
    expect(error).toMatchObject({ status: 400, code: 'E_BAD_REQUEST' });
    const readOnly = (await setup(KEYS.aRead)).client;
    await expect(readOnly.enroll('g2', 'b', people.capture('person-1', 0))).rejects.toMatchObject({ status: 403, code: 'E_FORBIDDEN' });
    const noKey = (await setup('fvq_nobody')).client;
    await expect(noKey.profiles()).rejects.toMatchObject({ status: 401, code: 'E_UNAUTHORIZED' });
  });
});

describe('MatcherClient retries and timeouts', () => {
  const ok = () => new Response(JSON.stringify({ ok: true, profiles: [] }), { status: 200, headers: { 'content-type': 'application/json' } });
  const fail = (status: number, headers: Record<string, string> = {}) =>
    new Response(JSON.stringify({ error: { code: status === 429 ? 'E_RATE_LIMITED' : 'E_UNAVAILABLE', message: 'busy' } }), { status, headers });

  function scripted(answers: (() => Response | Promise<Response>)[]) {
    const sleeps: number[] = [];
    let calls = 0;
    const fetch: typeof globalThis.fetch = async () => {
      const next = answers[Math.min(calls++, answers.length - 1)]!;
      return next();
    };
    const client = new MatcherClient({ baseUrl: 'http://x', fetch, retries: 3, backoffMs: 100, maxBackoffMs: 1000, timeoutMs: 50 }, { random: () => 0.5, sleep: async (ms) => { sleeps.push(ms); } });
    return { client, sleeps, calls: () => calls };
  }

  it('retries idempotent calls with backoff and jitter, honouring Retry-After', async () => {
    const { client, sleeps, calls } = scripted([() => fail(503), () => fail(429, { 'retry-after': '2' }), () => { throw new TypeError('connection reset'); }, ok]);
    expect(await client.healthz()).toEqual({ ok: true, profiles: [] });
    expect(calls()).toBe(4);
    expect(sleeps).toEqual([75, 2000, 300]); // 100*2^i, equal jitter at 0.5 -> 0.75 of the ceiling; Retry-After 2 s wins
  });

  it('gives up after the retries with the last error', async () => {
    const { client, calls } = scripted([() => fail(503)]);
    await expect(client.deleteGallery('g')).rejects.toMatchObject({ status: 503, code: 'E_UNAVAILABLE' });
    expect(calls()).toBe(4);
  });

  it('never retries enroll, nor client errors', async () => {
    const a = scripted([() => fail(503), ok]);
    await expect(a.client.enroll('g', 's', new Uint8Array([1]))).rejects.toMatchObject({ status: 503 });
    expect(a.calls()).toBe(1);
    const b = scripted([() => new Response(JSON.stringify({ error: { code: 'E_NOT_FOUND', message: 'no' } }), { status: 404 }), ok]);
    await expect(b.client.gallery('g')).rejects.toMatchObject({ status: 404, code: 'E_NOT_FOUND' });
    expect(b.calls()).toBe(1);
  });

  it('times out each attempt, and stops at once when the caller aborts', async () => {
    const hang: typeof globalThis.fetch = (_input, init) => new Promise((_, reject) => {
      init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
    });
    const client = new MatcherClient({ baseUrl: 'http://x', fetch: hang, retries: 1, timeoutMs: 20 }, { sleep: async () => {} });
    await expect(client.healthz()).rejects.toMatchObject({ status: 0, code: 'E_TIMEOUT' });
    const controller = new AbortController();
    const slow = new MatcherClient({ baseUrl: 'http://x', fetch: hang, retries: 5, timeoutMs: 10_000 });
    const pending = slow.healthz({ signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'E_ABORTED' });
  });

  it('reports a non-JSON error body as E_HTTP', async () => {
    const { client } = scripted([() => new Response('<html>bad gateway</html>', { status: 400 })]);
    await expect(client.profiles()).rejects.toMatchObject({ status: 400, code: 'E_HTTP' });
  });

  it('backoff grows exponentially up to the cap', () => {
    const o = { backoffMs: 100, maxBackoffMs: 1000, random: () => 1 };
    expect([0, 1, 2, 3, 4, 5].map((i) => backoffDelay(i, o))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(backoffDelay(0, { ...o, random: () => 0 })).toBe(50);
  });
});
