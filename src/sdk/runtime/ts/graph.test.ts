import fs from 'node:fs';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { makeRng } from '../../../codec/_testing.js';
import { heWeights, randomEncoder, writeOnnx, type NodeSpec } from '../../../../test/sdk/_onnx-writer.js';
import { FaceEncoderError } from '../../errors.js';
import { onnxStats, TsFrameEncoder } from './index.js';

/** onnxruntime-node's output for `model` on `input` (the reference). */
async function reference(model: Uint8Array, input: Float32Array, dims: number[]): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(model, { intraOpNumThreads: 1 });
  const out = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', input, dims) });
  await session.release();
  return out[session.outputNames[0]!]!.data as Float32Array;
}

function randomInput(n: number, seed: number): Float32Array {
  const rng = makeRng(seed);
  return Float32Array.from({ length: n }, () => 2 * rng.next() - 1);
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

/** A one-conv model (plus an optional Relu) with the given attributes. */
function convModel(cin: number, cout: number, k: [number, number], attrs: NodeSpec['attrs'], hw: [number, number], bias = true, relu = false): Uint8Array {
  const rng = makeRng(cin * 31 + cout);
  const group = (attrs?.group as number | undefined) ?? 1;
  const dims = [cout, cin / group, k[0], k[1]];
  const nodes: NodeSpec[] = [{ op: 'Conv', inputs: bias ? ['image', 'w', 'b'] : ['image', 'w'], outputs: [relu ? 'y' : 'output'], attrs: { kernel_shape: k, ...attrs } }];
  if (relu) nodes.push({ op: 'Relu', inputs: ['y'], outputs: ['output'] });
  return writeOnnx({
    nodes,
    initializers: [
      { name: 'w', dims, data: heWeights(rng, dims) },
      ...(bias ? [{ name: 'b', dims: [cout], data: Float32Array.from({ length: cout }, () => rng.next() - 0.5) }] : []),
    ],
    inputShape: [cin, ...hw],
  });
}

describe('TsFrameEncoder against onnxruntime-node', () => {
  it('matches on the shipped encoder (batch of 3)', async () => {
    const model = new Uint8Array(fs.readFileSync('models/encoder.onnx'));
    const input = randomInput(3 * 3 * 64 * 64, 1);
    const ts = new TsFrameEncoder(model, [3, 64, 64]);
    expect(ts.outputShape).toEqual([64, 4, 4]);
    expect(maxAbsDiff(await ts.run(input, 3), await reference(model, input, [3, 3, 64, 64]))).toBeLessThan(1e-5);
  });

  it('matches on the encoder architecture with He-initialised weights (non-degenerate latents)', async () => {
    const model = randomEncoder(5);
    const input = randomInput(2 * 3 * 64 * 64, 2);
    const got = await new TsFrameEncoder(model, [3, 64, 64]).run(input, 2);
    const want = await reference(model, input, [2, 3, 64, 64]);
    const scale = want.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(scale).toBeGreaterThan(0.1);
    expect(maxAbsDiff(got, want) / scale).toBeLessThan(1e-5);
  });

  const cases: [string, Uint8Array, number[]][] = [
    ['dense 3x3 stride 2 pad 1 + relu', convModel(3, 8, [3, 3], { strides: [2, 2], pads: [1, 1, 1, 1] }, [9, 11], true, true), [3, 9, 11]],
    ['grouped (2 groups), no bias', convModel(4, 6, [3, 3], { group: 2, pads: [1, 1, 1, 1] }, [7, 7], false), [4, 7, 7]],
    ['5x3 kernel, asymmetric pads, strides 3x2', convModel(2, 5, [5, 3], { strides: [3, 2], pads: [2, 0, 1, 2] }, [13, 10]), [2, 13, 10]],
    ['auto_pad SAME_UPPER, stride 2', convModel(3, 4, [3, 3], { strides: [2, 2], auto_pad: 'SAME_UPPER' }, [8, 9]), [3, 8, 9]],
    ['auto_pad SAME_LOWER, even kernel', convModel(3, 4, [2, 2], { auto_pad: 'SAME_LOWER' }, [5, 6]), [3, 5, 6]],
    ['auto_pad VALID', convModel(2, 3, [3, 3], { auto_pad: 'VALID' }, [6, 6]), [2, 6, 6]],
    ['pointwise with ragged channels and pixels', convModel(5, 7, [1, 1], {}, [3, 5], true, true), [5, 3, 5]],
    ['depthwise 3x3 stride 2', convModel(6, 6, [3, 3], { group: 6, strides: [2, 2], pads: [1, 1, 1, 1] }, [7, 9]), [6, 7, 9]],
    ['depthwise 3x3 stride 3 (generic window)', convModel(4, 4, [3, 3], { group: 4, strides: [3, 3], pads: [1, 1, 1, 1] }, [10, 10]), [4, 10, 10]],
    ['pointwise stride 2 (general path)', convModel(4, 4, [1, 1], { strides: [2, 2] }, [6, 6]), [4, 6, 6]],
  ];
  for (const [name, model, shape] of cases) {
    it(`matches: ${name}`, async () => {
      const input = randomInput(2 * shape.reduce((a, b) => a * b, 1), 3);
      const got = await new TsFrameEncoder(model, shape as [number, number, number]).run(input, 2);
      expect(maxAbsDiff(got, await reference(model, input, [2, ...shape]))).toBeLessThan(1e-5);
    });
  }
});

describe('TsFrameEncoder graph handling', () => {
  it('counts parameters and MACs from the graph', () => {
    const stats = onnxStats(convModel(4, 6, [3, 3], { group: 2, pads: [1, 1, 1, 1] }, [7, 7]), [4, 7, 7]);
    expect(stats.params).toBe(6 * 2 * 9 + 6);
    expect(stats.convMacs).toBe(6 * 7 * 7 * 2 * 9);
  });

  it('rejects unsupported ops with E_MODEL_UNSUPPORTED', () => {
    const model = writeOnnx({ nodes: [{ op: 'Sigmoid', inputs: ['image'], outputs: ['output'] }], initializers: [], inputShape: [1, 2, 2] });
    expect(() => new TsFrameEncoder(model, [1, 2, 2])).toThrow(expect.objectContaining({ code: 'E_MODEL_UNSUPPORTED' }));
  });

  it('rejects dilation and values used before they are defined', () => {
    const dilated = convModel(2, 2, [3, 3], { dilations: [2, 2] }, [8, 8]);
    expect(() => new TsFrameEncoder(dilated, [2, 8, 8])).toThrow(expect.objectContaining({ code: 'E_MODEL_UNSUPPORTED' }));
    const unordered = writeOnnx({
      nodes: [{ op: 'Relu', inputs: ['later'], outputs: ['output'] }, { op: 'Relu', inputs: ['image'], outputs: ['later'] }],
      initializers: [], inputShape: [1, 2, 2],
    });
    expect(() => new TsFrameEncoder(unordered, [1, 2, 2])).toThrow(expect.objectContaining({ code: 'E_MODEL_FORMAT' }));
  });

  it('rejects an input shape the graph does not take, and wrong input lengths', async () => {
    const model = new Uint8Array(fs.readFileSync('models/encoder.onnx'));
    expect(() => new TsFrameEncoder(model, [3, 32, 32])).toThrow(expect.objectContaining({ code: 'E_PROFILE_MISMATCH' }));
    const ts = new TsFrameEncoder(model, [3, 64, 64]);
    await expect(ts.run(new Float32Array(10))).rejects.toBeInstanceOf(FaceEncoderError);
  });

  it('runs float16 weights behind Casts (a float16 export) and counts them as parameters', async () => {
    const rng = makeRng(11);
    // Weights on a float16 grid (multiples of 2^-10 below 1): exact in both types.
    const w = Float32Array.from(heWeights(rng, [4, 3, 3, 3]), (v) => Math.round(v * 1024) / 1024);
    const b = Float32Array.from({ length: 4 }, (_, i) => (i - 2) / 8);
    const model = writeOnnx({
      nodes: [
        { op: 'Cast', inputs: ['w16'], outputs: ['w'], attrs: { to: 1 } },
        { op: 'Cast', inputs: ['b16'], outputs: ['b'], attrs: { to: 1 } },
        { op: 'Conv', inputs: ['image', 'w', 'b'], outputs: ['output'], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] } },
      ],
      initializers: [{ name: 'w16', dims: [4, 3, 3, 3], data: w, float16: true }, { name: 'b16', dims: [4], data: b, float16: true }],
      inputShape: [3, 6, 5],
    });
    const input = randomInput(2 * 3 * 6 * 5, 5);
    expect(maxAbsDiff(await new TsFrameEncoder(model, [3, 6, 5]).run(input, 2), await reference(model, input, [2, 3, 6, 5]))).toBeLessThan(1e-5);
    expect(onnxStats(model, [3, 6, 5]).params).toBe(4 * 27 + 4);
  });

  it('rejects a Cast to anything but float32, and a Cast of a computed value', () => {
    const half = { name: 'w16', dims: [1, 1, 1, 1], data: Float32Array.of(0.5), float16: true };
    const castTo = (to: number) => writeOnnx({
      nodes: [
        { op: 'Cast', inputs: ['w16'], outputs: ['w'], attrs: { to } },
        { op: 'Conv', inputs: ['image', 'w'], outputs: ['output'], attrs: { kernel_shape: [1, 1] } },
      ],
      initializers: [half], inputShape: [1, 2, 2],
    });
    expect(() => new TsFrameEncoder(castTo(10), [1, 2, 2])).toThrow(expect.objectContaining({ code: 'E_MODEL_UNSUPPORTED' }));
    const castInput = writeOnnx({ nodes: [{ op: 'Cast', inputs: ['image'], outputs: ['output'], attrs: { to: 1 } }], initializers: [], inputShape: [1, 2, 2] });
    expect(() => new TsFrameEncoder(castInput, [1, 2, 2])).toThrow(expect.objectContaining({ code: 'E_MODEL_UNSUPPORTED' }));
  });

  it('handles Identity, Constant weights, and a Relu that is the graph output', async () => {
    const rng = makeRng(9);
    const w = heWeights(rng, [3, 2, 1, 1]);
    const model = writeOnnx({
      nodes: [
        { op: 'Constant', inputs: [], outputs: ['wc'], attrs: { value: { name: 'wv', dims: [3, 2, 1, 1], data: w } } },
        { op: 'Identity', inputs: ['wc'], outputs: ['wi'] },
        { op: 'Identity', inputs: ['image'], outputs: ['x'] },
        { op: 'Conv', inputs: ['x', 'wi'], outputs: ['y'], attrs: { kernel_shape: [1, 1] } },
        { op: 'Add', inputs: ['y', 'y'], outputs: ['z'] },
        { op: 'Relu', inputs: ['z'], outputs: ['output'] },
      ],
      initializers: [], inputShape: [2, 3, 4],
    });
    const input = randomInput(24, 4);
    expect(maxAbsDiff(await new TsFrameEncoder(model, [2, 3, 4]).run(input), await reference(model, input, [1, 2, 3, 4]))).toBeLessThan(1e-6);
  });

  it('adds and multiplies by constants that broadcast (the input mask: Add 1, Mul plane, Add -1)', async () => {
    const rng = makeRng(13);
    const plane = Float32Array.from({ length: 5 * 6 }, () => (rng.next() < 0.3 ? 0 : 1));
    const perChannel = Float32Array.from({ length: 3 }, () => rng.next() - 0.5);
    const model = writeOnnx({
      nodes: [
        { op: 'Constant', inputs: [], outputs: ['one'], attrs: { value: { name: 'one', dims: [], data: Float32Array.of(1) } } },
        { op: 'Add', inputs: ['image', 'one'], outputs: ['a'] },
        { op: 'Mul', inputs: ['keep', 'a'], outputs: ['b'] }, // the constant first: Mul commutes
        { op: 'Constant', inputs: [], outputs: ['minus'], attrs: { value: { name: 'minus', dims: [1], data: Float32Array.of(-1) } } },
        { op: 'Add', inputs: ['b', 'minus'], outputs: ['c'] },
        { op: 'Mul', inputs: ['c', 'gain'], outputs: ['d'] },
        { op: 'Relu', inputs: ['d'], outputs: ['output'] },
      ],
      initializers: [{ name: 'keep', dims: [1, 1, 5, 6], data: plane }, { name: 'gain', dims: [3, 1, 1], data: perChannel }],
      inputShape: [3, 5, 6],
    });
    const input = randomInput(2 * 3 * 5 * 6, 6);
    const got = await new TsFrameEncoder(model, [3, 5, 6]).run(input, 2);
    expect(maxAbsDiff(got, await reference(model, input, [2, 3, 5, 6]))).toBeLessThan(1e-6);
    // A masked pixel (value -1 after the mask) of a channel with negative gain is exactly -gain.
    const masked = plane.indexOf(0), c = perChannel.findIndex((g) => g < 0);
    if (masked >= 0 && c >= 0) expect(got[c * 30 + masked]).toBeCloseTo(-perChannel[c]!, 6);
  });

  it('rejects a Mul of two values and constants that do not broadcast', () => {
    const square = writeOnnx({ nodes: [{ op: 'Mul', inputs: ['image', 'image'], outputs: ['output'] }], initializers: [], inputShape: [1, 2, 2] });
    expect(() => new TsFrameEncoder(square, [1, 2, 2])).toThrow(expect.objectContaining({ code: 'E_MODEL_UNSUPPORTED' }));
    const wide = (dims: number[]) => writeOnnx({
      nodes: [{ op: 'Add', inputs: ['image', 'k'], outputs: ['output'] }],
      initializers: [{ name: 'k', dims, data: new Float32Array(dims.reduce((a, b) => a * b, 1)) }], inputShape: [1, 2, 2],
    });
    for (const dims of [[1, 1, 2, 3], [2, 1, 2, 2], [1, 1, 1, 1, 1]]) {
      expect(() => new TsFrameEncoder(wide(dims), [1, 2, 2]), `dims [${dims}]`).toThrow(expect.objectContaining({ code: 'E_MODEL_UNSUPPORTED' }));
    }
  });
});
