/**
 * The methods of the paper this product comes from: send an index grid, reconstruct the face at
 * the receiver with a VQ-VAE decoder, and embed the 64x64 reconstruction, by the teacher
 * (`paper:reconstruct-PROFILE` on our indices, `paper:vqvae-teacher`) or by a recognition network
 * (`paper:vqvae-recognizer`, `paper-vqvae.ts`). Bytes are the payload's (the indices travel in
 * our wire format).
 *
 * The decoder and its contract are the preview's (`src/worker/preview/decoder.ts`).
 */
import { readFile } from 'node:fs/promises';
import { decodeGrid } from '../../codec/index.js';
import { GridDecoder, type RgbPixels } from '../../worker/preview/decoder.js';
import type { Teacher } from '../teacher.js';
import type { LoadedProfile } from './facevq.js';
import type { PayloadEncoder } from './device-encoder.js';
import { codeKey } from '../code-versions.js';
import { fingerprint, type SourceMethod } from './method.js';

/** What embeds a reconstruction. */
export interface ReconstructionEmbedder {
  /** What identifies it in the method's cache key. */
  key: (string | { file: string })[];
  /** How it embeds, for the method's description. */
  describe: string;
  embed(reconstruction: RgbPixels): Promise<Float32Array>;
}

/** The teacher on the 64x64 reconstruction. */
export function teacherOnReconstruction(teacher: Teacher): ReconstructionEmbedder {
  return { key: ['teacher on reconstruction', teacher.id], describe: 'teacher on the 64x64 reconstruction', embed: (r) => teacher.embedChip(r) };
}

/** A paper method, named `name`: `encoder`'s payload for `loaded`'s profile, reconstructed by `decoderFile`, embedded by `embedder`. */
export function reconstructMethod(
  loaded: LoadedProfile,
  decoderFile: string,
  encoder: () => Promise<PayloadEncoder>,
  embedder: ReconstructionEmbedder,
  name = `paper:reconstruct-${loaded.profile.name}`,
): SourceMethod {
  const { profile, file } = loaded;
  let decoder: Promise<GridDecoder> | undefined;
  const getDecoder = () => (decoder ??= readFile(decoderFile).then((bytes) => GridDecoder.load(new Uint8Array(bytes), profile)));
  return {
    kind: 'source',
    name,
    cacheKey: () => `${name.replace(/\W/g, '_')}-${fingerprint([{ file }, { file: decoderFile }, ...embedder.key, codeKey('detection', 'paper')])}`,
    describe: () => `${name}: ${profile.name} indices, reconstructed by ${decoderFile.split(/[\\/]/).pop()}, ${embedder.describe}`,
    async embed(face) {
      const { payload } = await (await encoder()).encode(await face.image(), face.landmarks5);
      const { grid } = decodeGrid(payload, profile);
      const recon = await (await getDecoder()).decode(grid, profile);
      return { embedding: await embedder.embed(recon), bytes: payload.length };
    },
  };
}
