import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    codec: 'src/codec/index.ts',
    sdk: 'src/sdk/index.ts',
    'sdk-node': 'src/sdk/node/index.ts',
    worker: 'src/worker/index.ts',
    'cli/main': 'src/cli/main.ts',
  },
  format: ['esm', 'cjs'],
  dts: { entry: { index: 'src/index.ts', codec: 'src/codec/index.ts', sdk: 'src/sdk/index.ts', 'sdk-node': 'src/sdk/node/index.ts', worker: 'src/worker/index.ts' } },
  target: 'es2022',
  platform: 'neutral',
  splitting: true,
  clean: true,
  shims: true, // import.meta.url in the CommonJS build (the SDK finds its models/ with it)
  external: ['onnxruntime-node', 'onnxruntime-web', 'sharp', '@vladmandic/face-api', '@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', 'better-sqlite3'],
});
