/** Node's HTTP layer under the app (`adapter/node-http.ts`): deadlines, and JSON for the errors Node answers itself. */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/worker/app.js';
import { listen } from '../../src/worker/adapter/node.js';
import { createMemoryStore } from '../../src/worker/store/memory.js';
import { KEYS, testKeyStore, testProfiles } from './fixtures.js';
import { bodyText, raw } from './raw-http.js';

/**
 * Sends a chunked POST of `chunks` × 16 KiB, `pauseMs` apart, as a client that writes its whole
 * request before it reads (a write that fails is recorded), then returns what the server sent.
 */
function chunkedPost(url: string, path: string, chunks: number, pauseMs: number): Promise<{ response: string; writeError: string | null; sent: number }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let response = '';
    let writeError: string | null = null;
    let sent = 0;
    socket.on('data', (d) => (response += d.toString()));
    socket.on('error', (e: NodeJS.ErrnoException) => (writeError ??= e.code ?? e.message));
    socket.on('close', () => resolve({ response, writeError, sent }));
    setTimeout(() => { socket.destroy(); reject(new Error(`no close; got ${JSON.stringify(response)}`)); }, 30_000);
    socket.on('connect', async () => {
      socket.write(`POST ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${KEYS.aWrite}\r\nContent-Type: application/vnd.facevq\r\nTransfer-Encoding: chunked\r\n\r\n`);
      const chunk = Buffer.alloc(16_384, 0x5a);
      for (let i = 0; i < chunks && !socket.destroyed; i++) {
        if (!socket.write(`4000\r\n`) || !socket.write(chunk) || !socket.write('\r\n')) await new Promise((r) => socket.once('drain', r));
        sent += chunk.length;
        if (pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs));
      }
      if (!socket.destroyed) socket.end('0\r\n\r\n');
    });
  });
}

const bodyOf = (response: string) => JSON.parse(bodyText(response)) as { error: { code: string } };

describe('Node HTTP layer', () => {
  let server: { url: string; close(): Promise<void> };
  let app: ReturnType<typeof createApp>;
  beforeAll(async () => {
    app = createApp({ store: createMemoryStore(), profiles: testProfiles().registry, keys: await testKeyStore() });
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

  it('answers a chunked body over the limit with 413 E_BODY_TOO_LARGE that the client reads after sending it all', async () => {
    const patient = await listen(app, 0, '127.0.0.1');
    try {
      // 208 KiB at once, and 1 MiB over ~1.5 s (longer than @hono/node-server's 500 ms drain).
      for (const [chunks, pauseMs] of [[13, 0], [64, 25]] as const) {
        for (const path of ['/v1/galleries/g/subjects/alice/enroll', '/v1/galleries/g/identify']) {
          const { response, writeError, sent } = await chunkedPost(patient.url, path, chunks, pauseMs);
          expect(writeError, `${path}, ${chunks} chunks`).toBeNull();
          expect(sent).toBe(chunks * 16_384);
          expect(response, path).toMatch(/^HTTP\/1\.1 413 /);
          expect(bodyOf(response)).toMatchObject({ error: { code: 'E_BODY_TOO_LARGE' } });
        }
      }
    } finally {
      await patient.close();
    }
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
