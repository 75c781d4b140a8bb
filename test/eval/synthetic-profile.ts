/**
 * A profile with seeded random codebooks and head, in the shipped profiles' shape (4x4 grid, 64
 * latent channels, 128-D head), for exercising the evaluation's path without trained models.
 * Its numbers mean nothing; its structure is the real one.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { FACE_TEMPLATE } from '../../src/sdk/align.js';
import { fitFrequencies, writeProfile } from '../../src/codec/index.js';
import { mulberry32 } from '../../src/worker/match/synthetic.js';

/** The seeded generator the other tests use (mulberry32). */
export const seeded = mulberry32;

/** Options of {@link syntheticProfile}. */
export interface SyntheticOptions {
  name: string;
  id: number;
  /** Planes per position. */
  planes: number;
  /** Codebook entries per plane. */
  k: number;
  maxBytes: number;
  /** The encoder model the profile names (its hash goes in the profile). */
  encoderFile?: string;
  seed?: number;
}

/** The bytes of a synthetic profile file; 64 latent channels split evenly over the planes. */
export function syntheticProfile(o: SyntheticOptions): Uint8Array {
  const rand = seeded(o.seed ?? 1);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const dim = 64 / o.planes;
  const codebooks = Array.from({ length: o.planes }, () => Float32Array.from({ length: o.k * dim }, () => 0.5 * gauss()));
  const prior = Array.from({ length: o.planes }, () => fitFrequencies(Array.from({ length: o.k }, (_, i) => 1 + (i % 7))));
  const weight = Float32Array.from({ length: 128 * 1024 }, () => gauss() / 32);
  const encoder = o.encoderFile
    ? { file: 'encoder.onnx', sha256: new Uint8Array(createHash('sha256').update(fs.readFileSync(o.encoderFile)).digest()), mean: 0.5, std: 0.5 }
    : undefined;
  return writeProfile({
    id: o.id,
    name: o.name,
    h: 4,
    w: 4,
    k: Array(o.planes).fill(o.k),
    dim: Array(o.planes).fill(dim),
    maxBytes: o.maxBytes,
    codebooks,
    prior,
    head: { dim: 128, layers: [{ op: 'dense', in: 1024, out: 128, weight, bias: new Float32Array(128) }, { op: 'l2norm' }] },
    thresholds: { far1e2: 0.5, far1e3: 0.6, far1e4: 0.7 },
    crop: { size: 64, channels: 3, template: FACE_TEMPLATE },
    ...(encoder ? { encoder } : {}),
    meta: { note: 'synthetic test profile: random codebooks and head' },
  });
}
