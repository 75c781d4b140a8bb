/**
 * End to end on Workers: `wrangler dev` (workerd with local Durable Objects and their SQLite
 * storage) over HTTP: enroll, identify, restart, and the galleries are still there; and which
 * answers to odd requests are the app's (JSON with a code) and which are workerd's own.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { call, KEYS, syntheticPayloads, testKeyRecords, testProfiles, type Fetcher } from './fixtures.js';
import { bodyText, headerOf, raw, statusOf } from './raw-http.js';
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

  it('answers every request the app sees with JSON; absolute-form and * targets and a missing Host get workerd\'s own answers', async () => {
    const dev = await startWranglerDev({ entry: 'test/workers/entry.ts', persistTo: join(persistTo, 'odd'), vars: { FACEVQ_KEYS: JSON.stringify(await testKeyRecords()), FACEVQ_RATE: 'off' } });
    running.push(dev);
    const host = new URL(dev.url).host;
    // workerd may reset the connection once it has answered a body it will not read (wrangler
    // dev's own doing): a reset is accepted only after the whole answer.
    const send = (line: string, headers = `Host: ${host}\r\n`, body = '') =>
      raw(dev.url, `${line}\r\n${headers}Connection: close\r\n\r\n${body}`, { resetAfterAnswer: body.length > 0 });
    const chunked = ('4000\r\n' + 'a'.repeat(16_384) + '\r\n').repeat(64) + '0\r\n\r\n'; // 1 MiB
    const auth = `Host: ${host}\r\nAuthorization: Bearer ${KEYS.aWrite}\r\nContent-Type: application/vnd.facevq\r\n`;
    const app: [string, number, string, string?, string?][] = [
      ['GET /%ZZ HTTP/1.1', 404, 'E_NOT_FOUND'],
      ['GET //healthz HTTP/1.1', 404, 'E_NOT_FOUND'],
      ['OPTIONS /healthz HTTP/1.1', 405, 'E_METHOD_NOT_ALLOWED'],
      ['TRACE / HTTP/1.1', 404, 'E_NOT_FOUND'],
      ['GET /v1/galleries/%ZZ HTTP/1.1', 400, 'E_BAD_REQUEST', auth],
      ['POST /v1/galleries/g/identify HTTP/1.1', 413, 'E_BODY_TOO_LARGE', `${auth}Content-Length: 300000\r\n`, 'a'.repeat(300_000)],
      ['POST /v1/galleries/g/subjects/a/enroll HTTP/1.1', 413, 'E_BODY_TOO_LARGE', `${auth}Transfer-Encoding: chunked\r\n`, chunked],
    ];
    for (const [line, status, code, headers, body] of app) {
      const response = await send(line, headers, body);
      // wrangler's dev proxy (its ProxyWorker) forwards a body as it streams; when the Worker has
      // answered without reading it all, the proxy's own fetch may fail, and for a POST it then
      // answers this 503 itself, in place of the Worker's 413 (not retried: it has a body).
      if (body && statusOf(response) === 503) {
        expect(bodyText(response)).toBe('Your worker restarted mid-request. Please try sending the request again. Only GET or HEAD requests are retried automatically.');
        continue;
      }
      expect(statusOf(response), `${line}: ${response}`).toBe(status);
      expect(headerOf(response, 'content-type'), line).toBe('application/json');
      expect(JSON.parse(bodyText(response)), line).toMatchObject({ error: { code } });
    }
    // workerd's HTTP listener answers these itself: a bare 500 or 400 in plain text, no JSON. The
    // dev proxy logs a line for every request it forwards and none for these, and workerd logs
    // its URL parser's failure (kj/compat/url.c++) for the first three: no JavaScript ran.
    const before = dev.output().split('[wrangler:info]').length;
    const targets = [`GET http://${host}/healthz HTTP/1.1`, 'GET http://example.com/v1/profiles HTTP/1.1', 'OPTIONS * HTTP/1.1'];
    for (const line of targets) {
      const response = await send(line);
      expect(statusOf(response), line).toBe(500);
      expect(bodyText(response)).toBe('Internal Server Error');
      expect(headerOf(response, 'content-type')).toBeNull();
    }
    const noHost = await send('GET /healthz HTTP/1.1', '');
    expect(statusOf(noHost)).toBe(400);
    expect(bodyText(noHost)).toBe('Bad Request');
    await new Promise((r) => setTimeout(r, 500)); // let the logs arrive
    const log = dev.output();
    expect(log.split('[wrangler:info]').length).toBe(before);
    for (const target of [`http://${host}/healthz`, 'http://example.com/v1/profiles', '*']) expect(log).toContain(`invalid URL; url = ${target}`);
  });
});
