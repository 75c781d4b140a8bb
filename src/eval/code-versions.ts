/**
 * The version of the code behind each cached result, for cache keys: a detection, a teacher
 * descriptor or an embedding made by other code than today's must never be read back.
 *
 * Each stage names its entry files; its version is the first 12 hex digits of the SHA-256 of those
 * files and every module they import, transitively (`import type` excluded: it compiles to
 * nothing). `code-versions.test.ts` recomputes them from the sources and fails, printing the new
 * values, when any of those files changed. The values are written here rather than computed at
 * run time because a built `dist/` has no sources to hash. Third-party runtimes that shape the
 * numbers (TensorFlow.js, face-api, onnxruntime, sharp) are keyed by their installed versions.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** Entry files of each stage (paths from the package root). */
export const CODE_SOURCES = {
  /** face-api detection, the 68 -> 5 landmark reduction and its 0.01 px rounding (align.ts). */
  detection: ['src/sdk/node/faceapi.ts'],
  /** faceres on the aligned chip, as `facevq teacher` caches it and the evaluation computes it. */
  teacher: ['src/eval/teacher.ts', 'src/cli/teacher.ts'],
  /** Ours: the SDK's crop, encoder runtimes and quantiser, the codec's encode and decode, the head. */
  ours: ['src/eval/methods/facevq.ts'],
  /** The JPEG and WebP baselines: their compression, calibration and the teacher they feed. */
  imageCodec: ['src/eval/methods/image-codec.ts'],
  /** The paper's methods: the payloads, the decoder model's input and output, the teacher, the recognizer. */
  paper: ['src/eval/methods/reconstruct.ts', 'src/eval/methods/paper-vqvae.ts', 'src/eval/methods/facevq.ts', 'src/eval/teacher.ts'],
} as const satisfies Record<string, readonly string[]>;

/** A stage of the pipeline whose code version keys caches. */
export type CodeStage = keyof typeof CODE_SOURCES;

/** The hash of each stage's sources; `code-versions.test.ts` says when one is out of date. */
export const CODE_VERSIONS: Record<CodeStage, string> = {
  detection: 'dedb6e476204',
  teacher: 'fcca8ce3c13c',
  ours: 'f91b1a856efd',
  imageCodec: '23015f392c4a',
  paper: '702ab7ba3412',
};

/** Installed packages whose version shapes each stage's output. */
const PACKAGES: Record<CodeStage, readonly string[]> = {
  detection: ['@vladmandic/face-api', '@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', 'sharp'], // sharp decodes the images
  teacher: ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', 'onnxruntime-node'], // faceres runs on either
  ours: ['onnxruntime-node'],
  imageCodec: ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm'], // sharp's versions: image-codec.ts
  paper: ['onnxruntime-node', '@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm'],
};

const require = createRequire(import.meta.url);

/** The installed version of package `name`, from the package.json above its entry point (some export maps hide `name/package.json`). */
function packageVersion(name: string): string {
  let dir: string;
  try {
    dir = path.dirname(require.resolve(name));
  } catch {
    return 'absent'; // a stage that needs it fails when it loads it; the key only has to differ
  }
  for (; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (!fs.existsSync(file)) continue;
    const json = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string };
    if (json.name === name) return json.version ?? 'unversioned';
  }
  return 'unversioned';
}

/**
 * The part of a cache key that names the code of `stages`: `stage=version` for each, then the
 * installed versions of the packages they run on, e.g.
 * `detection=1a2b3c4d5e6f ours=... @vladmandic/face-api@1.7.15 ...`.
 */
export function codeKey(...stages: CodeStage[]): string {
  const packages = [...new Set(stages.flatMap((s) => PACKAGES[s]))].sort();
  return [...stages.map((s) => `${s}=${CODE_VERSIONS[s]}`), ...packages.map((p) => `${p}@${packageVersion(p)}`)].join(' ');
}
