/**
 * `paper:reconstruct-PROFILE`, the method of the paper this product comes from: send the same
 * index grid, reconstruct the face at the receiver with the VQ-VAE decoder, and run the teacher on
 * the reconstruction: a 64x64 chip, in place of the aligned chip the teacher sees in `teacher`.
 * Bytes are our payload's (the same indices travel).
 *
 * Decoder contract (training/model.py): `latent` float32 [N,64,4,4], the codebook vectors of the
 * decoded grid laid out NCHW, in; `image` float32 [N,3,64,64] in [0,1] out.
 */
import { createRequire } from 'node:module';
import { decodeGrid, type Profile } from '../../codec/index.js';
import type { RgbImage } from '../../sdk/node/image.js';
import type { Teacher } from '../teacher.js';
import type { LoadedProfile } from './facevq.js';
import type { PayloadEncoder } from './device-encoder.js';
import { codeKey } from '../code-versions.js';
import { fingerprint, type SourceMethod } from './method.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- onnxruntime-node is an optional peer */
type Ort = any;

/** The codebook vectors of `grid`, NCHW for one face: channel g*dim + j of plane g at each position. */
export function latentOfGrid(grid: ArrayLike<number>, profile: Profile): Float32Array {
  const hw = profile.h * profile.w;
  const channels = profile.planes.reduce((s, p) => s + p.dim, 0);
  const latent = new Float32Array(channels * hw);
  const G = profile.planes.length;
  for (let pos = 0; pos < hw; pos++) {
    let channel = 0;
    for (let g = 0; g < G; g++) {
      const { dim } = profile.planes[g]!;
      const index = grid[pos * G + g]!;
      const book = profile.codebooks[g]!;
      for (let j = 0; j < dim; j++) latent[(channel + j) * hw + pos] = book[index * dim + j]!;
      channel += dim;
    }
  }
  return latent;
}

/** A [3,S,S] float image in [0,1] as 8-bit RGB. */
export function planarToRgb(planes: Float32Array, side: number): RgbImage {
  const n = side * side;
  const data = new Uint8Array(n * 3);
  for (let p = 0; p < n; p++) {
    for (let c = 0; c < 3; c++) data[p * 3 + c] = Math.max(0, Math.min(255, Math.round(planes[c * n + p]! * 255)));
  }
  return { data, width: side, height: side };
}

/** The paper's method for one profile and its decoder model. */
export function reconstructMethod(
  loaded: LoadedProfile,
  decoderFile: string,
  encoder: () => Promise<PayloadEncoder>,
  teacher: Teacher,
): SourceMethod {
  const { profile, file } = loaded;
  let session: Promise<Ort> | undefined;
  const ort: Ort = createRequire(import.meta.url)('onnxruntime-node');
  const getSession = () => (session ??= ort.InferenceSession.create(decoderFile, { intraOpNumThreads: 1 }));
  return {
    kind: 'source',
    name: `paper:reconstruct-${profile.name}`,
    cacheKey: () => `paper_reconstruct_${profile.name}-${fingerprint([{ file }, { file: decoderFile }, 'teacher on reconstruction', teacher.id, codeKey('detection', 'paper')])}`,
    describe: () => `the paper's method: ${profile.name} indices, reconstructed by ${decoderFile.split(/[\\/]/).pop()}, teacher on the 64x64 reconstruction`,
    async embed(face) {
      const { payload } = await (await encoder()).encode(await face.image(), face.landmarks5);
      const { grid } = decodeGrid(payload, profile);
      const s = await getSession();
      const latent = latentOfGrid(grid, profile);
      const input = new ort.Tensor('float32', latent, [1, latent.length / (profile.h * profile.w), profile.h, profile.w]);
      const out = await s.run({ [s.inputNames[0]]: input });
      const image = out[s.outputNames[0]];
      const side = image.dims[3] as number;
      const recon = planarToRgb(image.data as Float32Array, side);
      return { embedding: await teacher.embedChip(recon), bytes: payload.length };
    },
  };
}
