/**
 * The device side of our method, as the evaluation runs it: the SDK's `FaceEncoder` (the crop of
 * `align.ts`, the encoder ONNX on onnxruntime-node, the product quantiser, the codec's
 * `encodeGrid` in auto mode), fed the image and five landmarks. Only model lookup is ours: a
 * profile outside `models/` (a build folder, a test) finds its encoder beside itself first.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Profile } from '../../codec/index.js';
import { FaceEncoder } from '../../sdk/face-encoder.js';
import type { RgbImage } from '../../sdk/node/image.js';

/** Encodes faces into payloads of one profile. */
export interface PayloadEncoder {
  /** The encoder model file used. */
  readonly modelFile: string;
  encode(image: RgbImage, landmarks5: readonly number[]): Promise<{ payload: Uint8Array; grid: Uint16Array }>;
}

/** The encoder model of `profile`: its `encoder.file` beside the profile file or in `modelsDir`, else `models/encoder.onnx`. */
export function encoderModelFile(profile: Profile, profileFile: string, modelsDir: string): string {
  const named = profile.encoder?.file;
  if (named) {
    const beside = path.resolve(path.dirname(profileFile), named);
    if (fs.existsSync(beside)) return beside;
    const inModels = path.resolve(modelsDir, path.basename(named));
    if (fs.existsSync(inModels)) return inModels;
  }
  return path.resolve(modelsDir, 'encoder.onnx');
}

/** Loads the SDK's encoder for `profile` on onnxruntime-node, one thread (the model's hash is checked). */
export async function loadPayloadEncoder(profile: Profile, profileFile: string, modelsDir: string): Promise<PayloadEncoder> {
  const modelFile = encoderModelFile(profile, profileFile, modelsDir);
  const encoder = await FaceEncoder.load({ profile, runtime: 'node', threads: 1, modelBytes: new Uint8Array(fs.readFileSync(modelFile)) });
  return {
    modelFile,
    async encode(image, landmarks5) {
      const { payload, grid } = await encoder.encode({ pixels: image.data, width: image.width, height: image.height, channels: 3, landmarks5 }, { withGrid: true });
      return { payload, grid: grid! };
    },
  };
}
