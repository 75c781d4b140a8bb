import { describe, expect, it } from 'vitest';
import { readLimited, readPayloads } from './body.js';

/** A request whose body streams in chunks without a Content-Length. */
function chunked(chunks: number[], type = 'application/vnd.facevq'): Request {
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      for (const n of chunks) c.enqueue(new Uint8Array(n));
      c.close();
    },
  });
  return new Request('http://x/', { method: 'POST', body: stream, headers: { 'content-type': type }, duplex: 'half' } as RequestInit);
}

describe('bodies', () => {
  it('reads within the limit, streamed or declared', async () => {
    expect((await readLimited(chunked([10, 20]), 30)).length).toBe(30);
    expect((await readLimited(new Request('http://x/', { method: 'POST', body: new Uint8Array(5) }), 5)).length).toBe(5);
  });

  it('refuses bodies over the limit, with or without Content-Length', async () => {
    await expect(readLimited(chunked([10, 20, 30]), 25)).rejects.toMatchObject({ code: 'E_BODY_TOO_LARGE' });
    await expect(readLimited(new Request('http://x/', { method: 'POST', body: new Uint8Array(50) }), 25)).rejects.toMatchObject({ code: 'E_BODY_TOO_LARGE' });
  });

  it('chooses by media type', async () => {
    const limits = { single: 100, batch: 100 };
    expect((await readPayloads(chunked([3], 'application/octet-stream; x=1'), limits, false)).kind).toBe('single');
    await expect(readPayloads(chunked([3], 'text/plain'), limits, true)).rejects.toMatchObject({ code: 'E_UNSUPPORTED_MEDIA_TYPE' });
    await expect(readPayloads(chunked([3], 'application/vnd.facevq.batch+msgpack'), limits, false)).rejects.toMatchObject({ code: 'E_UNSUPPORTED_MEDIA_TYPE' });
    await expect(readPayloads(chunked([3], 'application/vnd.facevq.batch+msgpack'), limits, true)).rejects.toMatchObject({ code: 'E_BATCH_FORMAT' });
  });
});
