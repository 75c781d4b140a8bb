/** Node's HTTP layer under the app (`adapter/node-http.ts`): deadlines, and JSON for the errors Node answers itself. */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/worker/app.js';
import { listen } from '../../src/worker/adapter/node.js';
import { createMemoryStore } from '../../src/worker/store/memory.js';
import { KEYS, testKeyStore, testProfiles } from './fixtures.js';

/** Sends raw bytes, optionally more after `laterMs`, and returns everything the server sends until it closes. */
function raw(url: string, first: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(first));
    let got = '';
    socket.on('data', (d) => (got += d.toString()));
    socket.on('close', () => resolve(got));
    socket.on('error', reject);
    setTimeout(() => { socket.destroy(); reject(new Error(`no close; got ${JSON.stringify(got)}`)); }, 20_000);
  });
}

const bodyOf = (response: string) => JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4)) as { error: { code: string } };

describe('Node HTTP layer', () => {
  let server: { url: string; close(): Promise<void> };
  beforeAll(async () => {
    const app = createApp({ store: createMemoryStore(), profiles: testProfiles().registry, keys: await testKeyStore() });
    server = await listen(app, 0, '127.0.0.1', { headersMs: 500, requestMs: 1_000 });
  });
  afterAll(() => server.close());

  it('cuts off a body that does not arrive by the deadline, with 408 E_REQUEST_TIMEOUT', async () => {
    const started = Date.now();
    const response = await raw(server.url, `POST /v1/embed HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${KEYS.aRead}\r\nContent-Type: application/vnd.facevq\r\nContent-Length: 48\r\n\r\n0123456789`);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(response).toMatch(/^HTTP\/1\.1 408 /);
    expect(bodyOf(response)).toMatchObject({ error: { code: 'E_REQUEST_TIMEOUT' } });
  });

  it('answers a raw backslash in the path and an HTTP/1.1 request without Host with 400 E_BAD_REQUEST as JSON', async () => {
    for (const request of ['GET /v1/\\x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 'GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n']) {
      const response = await raw(server.url, request);
      expect(response, request).toMatch(/^HTTP\/1\.1 400 /);
      expect(bodyOf(response)).toMatchObject({ error: { code: 'E_BAD_REQUEST' } });
    }
    // HTTP/1.0 has no Host requirement: served.
    expect(await raw(server.url, 'GET /healthz HTTP/1.0\r\n\r\n')).toMatch(/^HTTP\/1\.1 200 /);
  });
});
