/**
 * `POST /v1/preview` over the shipped models: `m` has `decoder-m.onnx`, `s` has none. The PNG must
 * hold exactly what the decoder gives in Node for the payload's grid.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { call, KEYS, MEDIA_TYPE, syntheticPayloads, testKeyStore, type Fetcher } from '../../../test/worker/fixtures.js';
import { decodeGrid, readProfile, type Profile } from '../../codec/index.js';
import { nodePreviewDecoders } from '../adapter/node-preview.js';
import { createApp } from '../app.js';
import { GridDecoder } from '../preview/decoder.js';
import { ProfileRegistry } from '../profiles.js';
import { createMemoryStore } from '../store/memory.js';

const MODELS = join(import.meta.dirname, '..', '..', '..', 'models');
const read = (file: string) => new Uint8Array(readFileSync(join(MODELS, file)));

function randomPayload(profile: Profile, seed: number): { grid: Uint16Array; payload: Uint8Array } {
  const payload = syntheticPayloads(profile, 1, 0, seed).capture('person-0', 0);
  return { grid: decodeGrid(payload, profile).grid, payload };
}

describe('POST /v1/preview', () => {
  let m: Profile, s: Profile, http: Fetcher, bare: Fetcher;
  beforeAll(async () => {
    [m, s] = [readProfile(read('m.fvqp')), readProfile(read('s.fvqp'))];
    const options = { store: createMemoryStore(), profiles: new ProfileRegistry([m, s]), keys: await testKeyStore(), limits: { rate: null } };
    const app = createApp({ ...options, preview: nodePreviewDecoders(MODELS) });
    const withoutDecoders = createApp(options);
    http = (path, init) => Promise.resolve(app.request(path, init));
    bare = (path, init) => Promise.resolve(withoutDecoders.request(path, init));
  });

  it("answers a PNG of the decoder's size holding the decoder's output for the payload's grid", async () => {
    const { grid, payload } = randomPayload(m, 1);
    const r = await http('/v1/preview', { method: 'POST', headers: { Authorization: `Bearer ${KEYS.aRead}`, 'Content-Type': MEDIA_TYPE }, body: payload as Uint8Array<ArrayBuffer> });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('image/png');
    expect(r.headers.get('x-facevq-decoder')).toBe('decoder-m.onnx');
    const decoder = await GridDecoder.load(read('decoder-m.onnx'), m);
    const expected = await decoder.decode(grid, m);
    await decoder.dispose();
    const png = await sharp(Buffer.from(await r.arrayBuffer())).raw().toBuffer({ resolveWithObject: true });
    expect([png.info.width, png.info.height]).toEqual([decoder.side, decoder.side]);
    expect(Buffer.compare(png.data, Buffer.from(expected.data))).toBe(0);
  }, 300_000); // loading onnxruntime-node and the decoder twice takes a minute on a busy machine

  it('is E_NOT_FOUND for a profile without a decoder, and needs a key and a valid payload', async () => {
    const noDecoder = await call(http, 'POST', '/v1/preview', { key: KEYS.aRead, body: randomPayload(s, 2).payload });
    expect(noDecoder.status).toBe(404);
    expect(noDecoder.body.error).toMatchObject({ code: 'E_NOT_FOUND' });
    expect(noDecoder.body.error.message).toContain('no decoder for profile "s"');
    expect(await call(http, 'POST', '/v1/preview', { body: randomPayload(m, 3).payload })).toMatchObject({ status: 401, body: { error: { code: 'E_UNAUTHORIZED' } } });
    const truncated = await call(http, 'POST', '/v1/preview', { key: KEYS.aRead, body: randomPayload(m, 4).payload.subarray(0, 5) });
    expect(truncated.status).toBe(422);
    expect(truncated.body.error.code).toMatch(/^E_/);
  });

  it('is not mounted on a service built without decoders (the Worker)', async () => {
    const r = await call(bare, 'POST', '/v1/preview', { key: KEYS.aRead, body: randomPayload(m, 5).payload });
    expect(r).toMatchObject({ status: 404, body: { error: { code: 'E_NOT_FOUND' } } });
    expect(r.body.error.message).toContain('no route POST "/v1/preview"');
  });
});
