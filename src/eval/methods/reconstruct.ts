/**
 * `paper:reconstruct-PROFILE`, the method of the paper this product comes from: send the same
 * index grid, reconstruct the face at the receiver with the VQ-VAE decoder, and run the teacher on
 * the reconstruction: a 64x64 chip, in place of the aligned chip the teacher sees in `teacher`.
 * Bytes are our payload's (the same indices travel).
 *
 * The decoder and its contract are the preview's (`src/worker/preview/decoder.ts`).
 */
import { readFile } from 'node:fs/promises';
import { decodeGrid } from '../../codec/index.js';
import { GridDecoder } from '../../worker/preview/decoder.js';
import type { Teacher } from '../teacher.js';
import type { LoadedProfile } from './facevq.js';
import type { PayloadEncoder } from './device-encoder.js';
import { codeKey } from '../code-versions.js';
import { fingerprint, type SourceMethod } from './method.js';

/** The paper's method for one profile and its decoder model, named `name`. */
export function reconstructMethod(
  loaded: LoadedProfile,
  decoderFile: string,
  encoder: () => Promise<PayloadEncoder>,
  teacher: Teacher,
  name = `paper:reconstruct-${loaded.profile.name}`,
): SourceMethod {
  const { profile, file } = loaded;
  let decoder: Promise<GridDecoder> | undefined;
  const getDecoder = () => (decoder ??= readFile(decoderFile).then((bytes) => GridDecoder.load(new Uint8Array(bytes), profile)));
  return {
    kind: 'source',
    name,
    cacheKey: () => `${name.replace(/\W/g, '_')}-${fingerprint([{ file }, { file: decoderFile }, 'teacher on reconstruction', teacher.id, codeKey('detection', 'paper')])}`,
    describe: () => `${name}: ${profile.name} indices, reconstructed by ${decoderFile.split(/[\\/]/).pop()}, teacher on the 64x64 reconstruction`,
    async embed(face) {
      const { payload } = await (await encoder()).encode(await face.image(), face.landmarks5);
      const { grid } = decodeGrid(payload, profile);
      const recon = await (await getDecoder()).decode(grid, profile);
      return { embedding: await teacher.embedChip(recon), bytes: payload.length };
    },
  };
}
