import fs from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { createFrameEncoder } from './index.js';

const model = new Uint8Array(fs.readFileSync('models/encoder.onnx'));
const inputShape = [3, 64, 64] as const;

describe('createFrameEncoder', () => {
  it('auto picks onnxruntime-node in Node when it is installed', async () => {
    const encoder = await createFrameEncoder(model, { inputShape });
    expect(encoder.name).toBe('onnxruntime-node');
    expect(encoder.outputShape).toEqual([64, 4, 4]);
    await encoder.dispose?.();
  });

  it('each runtime by name', async () => {
    for (const [runtime, name] of [['node', 'onnxruntime-node'], ['web', 'onnxruntime-web'], ['ts', 'ts']] as const) {
      const encoder = await createFrameEncoder(model, { runtime, inputShape });
      expect(encoder.name).toBe(name);
      expect((await encoder.run(new Float32Array(2 * 3 * 64 * 64), 2)).length).toBe(2 * 1024);
      await expect(encoder.run(new Float32Array(5))).rejects.toMatchObject({ code: 'E_INPUT' });
      await encoder.dispose?.();
    }
  });

  it('auto falls back to the TypeScript runtime, silently, without onnxruntime-node; node says why', async () => {
    vi.resetModules();
    vi.doMock('onnxruntime-node', () => { throw new Error('Cannot find module onnxruntime-node'); });
    try {
      const fresh = await import('./index.js');
      expect((await fresh.createFrameEncoder(model, { inputShape })).name).toBe('ts');
      await expect(fresh.createFrameEncoder(model, { runtime: 'node', inputShape })).rejects.toMatchObject({ code: 'E_RUNTIME_UNAVAILABLE' });
    } finally {
      vi.doUnmock('onnxruntime-node');
      vi.resetModules();
    }
  });

  it('reports a model onnxruntime cannot load as E_MODEL_FORMAT', async () => {
    await expect(createFrameEncoder(new Uint8Array([1, 2, 3]), { runtime: 'node', inputShape })).rejects.toMatchObject({ code: 'E_MODEL_FORMAT' });
    await expect(createFrameEncoder(new Uint8Array([1, 2, 3]), { runtime: 'ts', inputShape })).rejects.toMatchObject({ code: 'E_MODEL_FORMAT' });
  });
});
