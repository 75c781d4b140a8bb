/**
 * The demo page's files on Node (`routes/demo.ts` serves them): the page and its bundled script,
 * the browser builds of onnxruntime-web, face-api and TensorFlow.js's wasm backend from
 * node_modules, face-api's detector and landmark weights, and the encoder and profiles the service
 * holds. A fixed table from URL path to file: nothing else on disk can be named by a request.
 */
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageDir } from '../cli/package-dir.js';
import type { DemoAsset, DemoAssets } from '../worker/routes/demo.js';
import { bundlePage } from './bundle.js';

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  mjs: 'text/javascript; charset=utf-8',
  json: 'application/json',
  wasm: 'application/wasm',
  onnx: 'application/octet-stream',
  bin: 'application/octet-stream',
  fvqp: 'application/vnd.facevq.profile',
};

const typeOf = (file: string): string => TYPES[file.slice(file.lastIndexOf('.') + 1)] ?? 'application/octet-stream';

/** Files of npm packages the page loads, by path below `/demo/`: [package, file inside it]. */
const PACKAGE_FILES: Record<string, [string, string]> = {
  'vendor/ort.wasm.min.mjs': ['onnxruntime-web', 'dist/ort.wasm.min.mjs'],
  'vendor/ort-wasm-simd-threaded.mjs': ['onnxruntime-web', 'dist/ort-wasm-simd-threaded.mjs'],
  'vendor/ort-wasm-simd-threaded.wasm': ['onnxruntime-web', 'dist/ort-wasm-simd-threaded.wasm'],
  'vendor/face-api.esm.js': ['@vladmandic/face-api', 'dist/face-api.esm.js'],
  'vendor/tfjs-backend-wasm.wasm': ['@tensorflow/tfjs-backend-wasm', 'dist/tfjs-backend-wasm.wasm'],
  'vendor/tfjs-backend-wasm-simd.wasm': ['@tensorflow/tfjs-backend-wasm', 'dist/tfjs-backend-wasm-simd.wasm'],
  'vendor/tfjs-backend-wasm-threaded-simd.wasm': ['@tensorflow/tfjs-backend-wasm', 'dist/tfjs-backend-wasm-threaded-simd.wasm'],
  'face-api/tiny_face_detector_model-weights_manifest.json': ['@vladmandic/face-api', 'model/tiny_face_detector_model-weights_manifest.json'],
  'face-api/tiny_face_detector_model.bin': ['@vladmandic/face-api', 'model/tiny_face_detector_model.bin'],
  'face-api/face_landmark_68_model-weights_manifest.json': ['@vladmandic/face-api', 'model/face_landmark_68_model-weights_manifest.json'],
  'face-api/face_landmark_68_model.bin': ['@vladmandic/face-api', 'model/face_landmark_68_model.bin'],
};

/**
 * The folder of an installed package, or undefined when it is not installed: the folder above its
 * entry point whose package.json names it (onnxruntime-web's exports hide its package.json).
 */
function packageRoot(name: string): string | undefined {
  let dir: string;
  try {
    dir = dirname(createRequire(import.meta.url).resolve(name));
  } catch {
    return undefined;
  }
  for (; dir !== dirname(dir); dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === name) return dir;
  }
  return undefined;
}

/** Where the page's own files are: the source tree (bundled on first request) or `dist/demo/`. */
function pageSource(): { html: string; script: () => Promise<string | undefined> } {
  const here = dirname(fileURLToPath(import.meta.url));
  if (existsSync(join(here, 'page', 'main.ts'))) {
    let bundled: Promise<string | undefined> | undefined;
    return { html: join(here, 'page', 'index.html'), script: () => (bundled ??= bundlePage()) };
  }
  const built = join(packageDir() ?? here, 'dist', 'demo');
  return { html: join(built, 'index.html'), script: async () => readFile(join(built, 'app.js'), 'utf8').catch(() => undefined) };
}

/**
 * The demo's files. `modelsDir` holds the encoder and the profile files named in `profileFiles`
 * (served as `models/FILE`).
 */
export function nodeDemoAssets(modelsDir: string, modelFiles: readonly string[]): DemoAssets {
  const files = new Map<string, string>();
  for (const [path, [pkg, file]] of Object.entries(PACKAGE_FILES)) {
    const root = packageRoot(pkg);
    if (root) files.set(path, join(root, file));
  }
  for (const file of modelFiles) files.set(`models/${file}`, join(modelsDir, file));
  const page = pageSource();
  files.set('index.html', page.html);

  const read = async (file: string): Promise<Uint8Array<ArrayBuffer> | undefined> => readFile(file).then((b) => new Uint8Array(b), () => undefined);
  return {
    async get(path): Promise<DemoAsset | undefined> {
      if (path === 'app.js') {
        const script = await page.script();
        return script === undefined ? undefined : { body: script, type: typeOf(path) };
      }
      const file = files.get(path);
      const body = file === undefined ? undefined : await read(file);
      return body && { body, type: typeOf(path) };
    },
  };
}
