/**
 * Real faces for the SDK's tests: the group photos that ship with @vladmandic/face-api
 * (`demo/sample1.jpg` .. `sample6.jpg`, present in every install), with every face face-api finds,
 * and their five landmarks. Detection is slow on a busy machine, so its result is cached in
 * `.cache/sdk/demo-faces.json`, keyed by file size and the detection code (`codeKey('detection')`,
 * src/eval/code-versions.ts); delete the file to redo it.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { codeKey } from '../../src/eval/code-versions.js';
import { alignFace } from '../../src/sdk/align.js';
import type { FaceBox } from '../../src/sdk/box-landmarks.js';
import { FaceApi } from '../../src/sdk/node/faceapi.js';
import { decodeImage, type RgbImage } from '../../src/sdk/node/image.js';

/** One detected face. */
export interface DemoFace {
  box: FaceBox;
  landmarks5: number[];
  score: number;
}

/** One demo photo with its faces. */
export interface DemoImage {
  file: string;
  image: RgbImage;
  faces: DemoFace[];
}

const CACHE = path.join('.cache', 'sdk', 'demo-faces.json');

/** The demo photos' paths. */
export function demoImagePaths(): string[] {
  const dir = path.join(path.dirname(createRequire(import.meta.url).resolve('@vladmandic/face-api/package.json')), 'demo');
  return fs.readdirSync(dir).filter((f) => /^sample\d+\.jpg$/.test(f)).sort().map((f) => path.join(dir, f));
}

/** The demo photos, decoded, with every face face-api finds in them (cached). */
export async function demoImages(): Promise<DemoImage[]> {
  const files = demoImagePaths();
  let cache: Record<string, { size: number; code?: string; faces: DemoFace[] }> = {};
  const code = codeKey('detection');
  try { cache = JSON.parse(fs.readFileSync(CACHE, 'utf8')) as typeof cache; } catch { /* first run */ }
  let faceapi: FaceApi | undefined;
  const out: DemoImage[] = [];
  for (const file of files) {
    const image = await decodeImage(file);
    const key = path.basename(file), size = fs.statSync(file).size;
    if (cache[key]?.size !== size || cache[key]?.code !== code) {
      faceapi ??= await FaceApi.load({ descriptor: false });
      const faces = (await faceapi.detectAll(image)).map((f) => ({ box: f.box, landmarks5: f.landmarks5, score: f.score }));
      cache[key] = { size, code, faces };
      fs.mkdirSync(path.dirname(CACHE), { recursive: true });
      fs.writeFileSync(CACHE, JSON.stringify(cache));
    }
    out.push({ file, image, faces: cache[key]!.faces });
  }
  return out;
}

/** Aligned chips (side `size`) of every demo face. */
export async function demoChips(size = 64): Promise<Uint8Array[]> {
  return (await demoImages()).flatMap(({ image, faces }) =>
    faces.map((f) => alignFace(image.data, image.width, image.height, 3, f.landmarks5, size)));
}
