/**
 * Product quantisation of the encoder's latent into a grid (spec/FORMAT.md §1, training/model.py
 * `ProductQuantizer.indices`): at each of the H*W positions the C = sum_g dim_g channels are split
 * into G contiguous groups, and group g is replaced by the index of its nearest entry in codebook g
 * (squared L2; ties go to the lowest index). Grid order is n = (y*W + x)*G + g.
 *
 * Distances are summed in float64 over the float32 latent and codebook, as
 * sum_j (v_j - c_ij)^2, with no expansion into norms and dot products: a tie here is a real tie of
 * the float32 inputs, never an artefact of cancellation.
 */
import type { Profile } from '../codec/index.js';
import { FaceEncoderError } from './errors.js';

/** The parts of a profile the quantiser reads. */
export type QuantizerProfile = Pick<Profile, 'h' | 'w' | 'planes' | 'codebooks'>;

/** Latent channels a profile expects: the sum of its planes' `dim`. */
export function latentChannels(profile: QuantizerProfile): number {
  return profile.planes.reduce((sum, p) => sum + p.dim, 0);
}

/**
 * Checks that a per-sample latent of shape (C, H, W) fits the profile; throws
 * {@link FaceEncoderError} `E_PROFILE_MISMATCH` otherwise.
 */
export function checkLatentShape(profile: QuantizerProfile, shape: readonly [number, number, number]): void {
  const c = latentChannels(profile);
  if (shape[0] !== c || shape[1] !== profile.h || shape[2] !== profile.w) {
    throw new FaceEncoderError('E_PROFILE_MISMATCH', `encoder latent [${shape}] does not fit the profile's grid [${c},${profile.h},${profile.w}]`);
  }
}

/**
 * Quantises one sample's latent, `latent[offset ..]` in CHW layout (ONNX's NCHW), into `out`
 * (H*W*G indices in grid order, from `outOffset`).
 */
export function quantizeLatent(
  latent: Float32Array, offset: number, profile: QuantizerProfile, out: Uint16Array, outOffset = 0,
): void {
  const { h, w, planes, codebooks } = profile;
  const hw = h * w, groups = planes.length;
  for (let pos = 0; pos < hw; pos++) {
    let c0 = 0;
    for (let g = 0; g < groups; g++) {
      const { k, dim } = planes[g]!;
      const book = codebooks[g]!;
      const base = offset + c0 * hw + pos; // channel c0 at this position; channel j adds j*hw
      let best = 0, bestDist = Infinity;
      for (let i = 0, e = 0; i < k; i++, e += dim) {
        let d = 0;
        for (let j = 0, at = base; j < dim; j++, at += hw) {
          const diff = latent[at]! - book[e + j]!;
          d += diff * diff;
          if (d >= bestDist) break; // already no better: strictly-less keeps the lowest index on ties
        }
        if (d < bestDist) { bestDist = d; best = i; }
      }
      out[outOffset + pos * groups + g] = best;
      c0 += dim;
    }
  }
}

/** Quantises `batch` latents (NCHW) into `batch` grids, each H*W*G indices in grid order. */
export function quantizeBatch(latent: Float32Array, batch: number, profile: QuantizerProfile): Uint16Array[] {
  const size = latentChannels(profile) * profile.h * profile.w;
  if (latent.length !== batch * size) throw new FaceEncoderError('E_PROFILE_MISMATCH', `latent has ${latent.length} floats, expected ${batch} x ${size}`);
  const n = profile.h * profile.w * profile.planes.length;
  return Array.from({ length: batch }, (_, b) => {
    const grid = new Uint16Array(n);
    quantizeLatent(latent, b * size, profile, grid);
    return grid;
  });
}

/**
 * The margin of each index: the squared distance to the second-nearest entry minus that to the
 * nearest, per grid index. A margin near 0 marks a near-tie that float rounding in another runtime
 * could flip (parity tests use it to tell a genuine near-tie from a bug).
 */
export function quantizeMargins(latent: Float32Array, offset: number, profile: QuantizerProfile): Float64Array {
  const { h, w, planes, codebooks } = profile;
  const hw = h * w, groups = planes.length;
  const margins = new Float64Array(hw * groups);
  for (let pos = 0; pos < hw; pos++) {
    let c0 = 0;
    for (let g = 0; g < groups; g++) {
      const { k, dim } = planes[g]!;
      const book = codebooks[g]!;
      let first = Infinity, second = Infinity;
      for (let i = 0; i < k; i++) {
        let d = 0;
        for (let j = 0; j < dim; j++) {
          const diff = latent[offset + (c0 + j) * hw + pos]! - book[i * dim + j]!;
          d += diff * diff;
        }
        if (d < first) { second = first; first = d; } else if (d < second) second = d;
      }
      margins[pos * groups + g] = second - first;
      c0 += dim;
    }
  }
  return margins;
}
