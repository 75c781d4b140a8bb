/**
 * End to end on real faces, on both runtimes: the SDK finds and encodes every face in face-api's
 * demo group photos (every install has them) with the shipped encoder and profile `m`; each face is
 * enrolled from the photo as taken, then identified from the mirrored photo, over HTTP against a
 * real `facevq serve` process (SQLite) and against `wrangler dev` (workerd, Durable Objects) with
 * the production Worker entry and its bundled models.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaceApi } from '../../src/sdk/node/faceapi.js';
import { NodeFaceEncoder } from '../../src/sdk/node/face-encoder.js';
import { decodeImage, mirrorImage } from '../../src/sdk/node/image.js';
import { call, KEYS, testKeyRecords, type Fetcher } from './fixtures.js';
import { kill9, ROOT, startServer, type Server } from './node-server.js';
import { startWranglerDev, type WranglerDev } from './wrangler-dev.js';

const MODELS = join(ROOT, 'models');
const skip = existsSync(join(MODELS, 'm.fvqp')) ? undefined : 'models/m.fvqp is not built yet (training/README.md)';
const SAMPLES = join(createRequire(import.meta.url).resolve('@vladmandic/face-api/package.json'), '..', 'demo');

/** Person id -> [payload of the face as photographed, payload of the same face in the mirror photo]. */
async function realFaces(): Promise<Map<string, [Uint8Array, Uint8Array]>> {
  const encoder = await NodeFaceEncoder.load({ profile: 'm', runtime: 'node' });
  const faceapi = await FaceApi.load({ descriptor: false });
  const people = new Map<string, [Uint8Array, Uint8Array]>();
  for (const name of ['sample1.jpg', 'sample2.jpg', 'sample3.jpg', 'sample4.jpg', 'sample5.jpg', 'sample6.jpg']) {
    const image = await decodeImage(join(SAMPLES, name));
    const flipped = mirrorImage(image);
    const faces = await faceapi.detectAll(image);
    for (const [i, face] of faces.entries()) {
      if (face.box.width < 40) continue; // too small to be a fair test of a 64x64 chip
      // The same face in the mirror photo: mirror the landmarks, swapping left and right points.
      const l = face.landmarks5, w = image.width - 1;
      const mirrored = [w - l[2]!, l[3]!, w - l[0]!, l[1]!, w - l[4]!, l[5]!, w - l[8]!, l[9]!, w - l[6]!, l[7]!];
      const original = await encoder.encode({ pixels: image.data, width: image.width, height: image.height, channels: 3, landmarks5: l });
      const probe = await encoder.encode({ pixels: flipped.data, width: flipped.width, height: flipped.height, channels: 3, landmarks5: mirrored });
      people.set(`${name.replace('.jpg', '')}-face${i}`, [original.payload, probe.payload]);
    }
  }
  return people;
}

/** Enrolls every person's first payload, identifies every second one; returns the top-1 rate. */
async function enrollAndIdentify(http: Fetcher, people: Map<string, [Uint8Array, Uint8Array]>, keys: { write: string; read: string }): Promise<number> {
  for (const [person, [enroll]] of people) {
    const r = await call(http, 'POST', `/v1/galleries/demo/subjects/${person}/enroll`, { key: keys.write, body: enroll });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
  }
  let correct = 0;
  for (const [person, [, probe]] of people) {
    const r = await call(http, 'POST', '/v1/galleries/demo/identify?k=5', { key: keys.read, body: probe });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    if (r.body.candidates?.[0]?.subject === person) correct++;
  }
  return correct / people.size;
}

describe.skipIf(skip !== undefined)('real faces end to end', () => {
  let people: Map<string, [Uint8Array, Uint8Array]>;
  const dir = mkdtempSync(join(tmpdir(), 'facevq-real-'));
  const servers: Server[] = [];
  const workers: WranglerDev[] = [];
  beforeAll(async () => { people = await realFaces(); }, 300_000);
  afterAll(async () => {
    for (const s of servers) await kill9(s).catch(() => undefined);
    for (const w of workers) await w.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds and encodes the demo faces within the profile bound', () => {
    expect(people.size).toBeGreaterThanOrEqual(15);
    for (const [a, b] of people.values()) expect(Math.max(a.length, b.length)).toBeLessThanOrEqual(51);
  });

  it('identifies mirrored faces on Node (facevq serve, SQLite)', { timeout: 300_000 }, async () => {
    const server = await startServer(join(dir, 'facevq.db'), MODELS);
    servers.push(server);
    const key = /\b(fvq_[A-Za-z0-9_-]{43})\b/.exec(server.output)?.[1];
    expect(key, server.output).toBeDefined();
    const rate = await enrollAndIdentify((path, init) => fetch(server.url + path, init), people, { write: key!, read: key! });
    expect(rate).toBeGreaterThanOrEqual(0.8);
  });

  it('identifies mirrored faces on Workers (wrangler dev, Durable Objects, bundled models)', { timeout: 300_000 }, async () => {
    const vars = { FACEVQ_KEYS: JSON.stringify(await testKeyRecords()), FACEVQ_RATE: 'off' };
    const w = await startWranglerDev({ entry: 'src/worker/adapter/workers-main.ts', persistTo: join(dir, 'wrangler'), vars });
    workers.push(w);
    const rate = await enrollAndIdentify((path, init) => fetch(w.url + path, init), people, { write: KEYS.aWrite, read: KEYS.aRead });
    expect(rate).toBeGreaterThanOrEqual(0.8);
  });
});
