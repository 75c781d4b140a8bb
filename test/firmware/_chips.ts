/**
 * Real aligned chips for the firmware tests: every face face-api finds in its demo photos (the SDK
 * tests' faces, `test/sdk/_faces.ts`), plus UTKFace faces from `../shared/data/utkface` when that
 * folder is present. UTKFace's images are already aligned and cropped (200x200), so their chip is
 * the SDK's crop (`alignFace`) with the template's landmarks scaled to the image: no detector run,
 * the same warp and rounding as the SDK's.
 */
import fs from 'node:fs';
import path from 'node:path';
import { alignFace, FACE_TEMPLATE } from '../../src/sdk/align.js';
import { decodeImage } from '../../src/sdk/node/image.js';
import { demoChips } from '../sdk/_faces.js';

/** Where CI and this machine keep UTKFace. */
export const UTKFACE = path.resolve('../shared/data/utkface');

/** Up to `limit` UTKFace chips of side `size`, spread evenly over the folder (sorted by name). */
export async function utkfaceChips(limit: number, size = 64): Promise<Uint8Array[]> {
  if (!fs.existsSync(UTKFACE)) return [];
  const files = fs.readdirSync(UTKFACE).filter((f) => f.endsWith('.jpg')).sort();
  const step = Math.max(1, Math.floor(files.length / limit));
  const out: Uint8Array[] = [];
  for (let i = 0; i < files.length && out.length < limit; i += step) {
    const image = await decodeImage(path.join(UTKFACE, files[i]!));
    const landmarks = FACE_TEMPLATE.map((v, j) => v * (j % 2 === 0 ? image.width : image.height));
    out.push(alignFace(image.data, image.width, image.height, 3, landmarks, size));
  }
  return out;
}

/** The demo faces and up to `utkLimit` UTKFace chips. */
export async function firmwareChips(utkLimit: number): Promise<{ demo: Uint8Array[]; utkface: Uint8Array[] }> {
  return { demo: await demoChips(), utkface: await utkfaceChips(utkLimit) };
}
