/**
 * The paper's method given its best shot (issue 18 part 3; `training/paper.py`): its own VQ-VAE,
 * trained for reconstruction first, sending the same bits as our `m` (a 4x4 grid of 4 planes of 64
 * entries), from `<models>/paper/`:
 *
 * - `paper:vqvae-teacher` (a): the teacher on the decoder's 64x64 reconstruction;
 * - `paper:vqvae-recognizer` (b): a recognition network distilled on reconstructions toward the
 *   teacher's descriptor of the original chip (`recognizer.onnx`: image [N,3,64,64], normalised as
 *   the encoder's input, to embedding [N,128,1,1]).
 *
 * Bytes are the paper profile's payload length: its indices travel in our wire format.
 */
import fs from 'node:fs';
import path from 'node:path';
import { chipToTensor } from '../../sdk/preprocess.js';
import { createFrameEncoder } from '../../sdk/runtime/index.js';
import type { FrameEncoder } from '../../sdk/frame-encoder.js';
import type { Teacher } from '../teacher.js';
import { loadPayloadEncoder, type PayloadEncoder } from './device-encoder.js';
import { loadProfile, type LoadedProfile } from './facevq.js';
import { reconstructMethod, teacherOnReconstruction, type ReconstructionEmbedder } from './reconstruct.js';
import type { SourceMethod } from './method.js';

/** The files of the paper's model set under `<modelsDir>/paper/`. */
export interface PaperModels {
  dir: string;
  profile: LoadedProfile;
  decoderFile: string;
  recognizerFile: string;
}

/** The paper's model set, if `<modelsDir>/paper/` holds one (`paper-m.fvqp`, its decoder and recognizer). */
export function findPaperModels(modelsDir: string): PaperModels | undefined {
  const dir = path.join(modelsDir, 'paper');
  const files = ['paper-m.fvqp', 'decoder-m.onnx', 'recognizer.onnx'].map((f) => path.join(dir, f));
  if (!files.every((f) => fs.existsSync(f))) return undefined;
  return { dir, profile: loadProfile(files[0]!), decoderFile: files[1]!, recognizerFile: files[2]! };
}

/** The paper's device half: its encoder and quantiser, writing our wire format. */
function paperEncoder(models: PaperModels): () => Promise<PayloadEncoder> {
  let encoder: Promise<PayloadEncoder> | undefined;
  return () => (encoder ??= loadPayloadEncoder(models.profile.profile, models.profile.file, models.dir));
}

/** (a) `paper:vqvae-teacher`: the teacher on the paper decoder's reconstruction. */
export function paperTeacherMethod(models: PaperModels, teacher: Teacher): SourceMethod {
  return reconstructMethod(models.profile, models.decoderFile, paperEncoder(models), teacherOnReconstruction(teacher), 'paper:vqvae-teacher');
}

/** (b) `paper:vqvae-recognizer`: the recognition network distilled on the reconstructions. */
export function paperRecognizerMethod(models: PaperModels): SourceMethod {
  let recognizer: Promise<FrameEncoder> | undefined;
  const getRecognizer = () =>
    (recognizer ??= createFrameEncoder(new Uint8Array(fs.readFileSync(models.recognizerFile)), { runtime: 'node', inputShape: [3, 64, 64] }));
  const embedder: ReconstructionEmbedder = {
    key: [{ file: models.recognizerFile }],
    describe: `embedded by ${path.basename(models.recognizerFile)}`,
    async embed(recon) {
      const input = new Float32Array(3 * recon.width * recon.height);
      chipToTensor(recon.data, recon.width, 0.5, 0.5, input);
      return (await getRecognizer()).run(input);
    },
  };
  return reconstructMethod(models.profile, models.decoderFile, paperEncoder(models), embedder, 'paper:vqvae-recognizer');
}
