import fc from 'fast-check';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { randomEncoder, writeOnnx } from '../../../../test/sdk/_onnx-writer.js';
import { FaceEncoderError } from '../../errors.js';
import { readOnnx } from './onnx-proto.js';

const shipped = new Uint8Array(fs.readFileSync('models/encoder.onnx'));

describe('readOnnx', () => {
  it('reads the shipped encoder: one input, one output, its few op types, decoded initializers', () => {
    const m = readOnnx(shipped);
    expect(m.graph.inputs).toEqual([{ name: 'image', dims: [-1, 3, 64, 64] }]);
    expect(m.graph.outputs).toEqual([{ name: 'latent', dims: [-1, 64, 4, 4] }]);
    // Conv/Relu/Add, weight Casts, and the input mask: Constant scalars, Add, Mul by a 64x64 plane.
    expect(['Conv', 'Relu', 'Add', 'Cast', 'Constant', 'Mul']).toEqual(expect.arrayContaining([...new Set(m.graph.nodes.map((n) => n.opType))]));
    expect(m.graph.initializers.get('keep.f16')?.dims).toEqual([1, 1, 64, 64]);
    for (const t of m.graph.initializers.values()) expect(t.data?.length).toBe(t.dims.reduce((a, b) => a * b, 1));
  });

  it('reads float_data, unpacked dims, negative ints and Constant tensors', () => {
    const data = Float32Array.from([1.5, -2, 3.25, 0]);
    const bytes = writeOnnx({
      nodes: [{ op: 'Constant', inputs: [], outputs: ['k'], attrs: { value: { name: 'v', dims: [4], data }, axis: -3 } }],
      initializers: [{ name: 'w', dims: [2, 2], data, asFloatData: true, unpackedDims: true }],
      inputShape: [3, 8, 8],
    });
    const m = readOnnx(bytes);
    expect(m.opsetVersion).toBe(13);
    expect(m.producer).toBe('facevq-test');
    expect(Array.from(m.graph.initializers.get('w')!.data!)).toEqual([1.5, -2, 3.25, 0]);
    expect(m.graph.initializers.get('w')!.dims).toEqual([2, 2]);
    const node = m.graph.nodes[0]!;
    expect(node.attributes.get('axis')).toEqual({ kind: 'int', value: -3 });
    const value = node.attributes.get('value');
    expect(value?.kind === 'tensor' && Array.from(value.value.data!)).toEqual([1.5, -2, 3.25, 0]);
  });

  it('widens FLOAT16 raw_data to float32: normals, subnormals, signed zeros, extremes, infinities', () => {
    const values = [0, -0, 1, -2.5, 65504, -65504, 2 ** -14, 2 ** -24, -(2 ** -24) * 1023, 1 + 2 ** -10, Infinity, -Infinity, NaN];
    const bytes = writeOnnx({ nodes: [], initializers: [{ name: 'h', dims: [values.length], data: Float32Array.from(values), float16: true }], inputShape: [1, 1, 1] });
    const t = readOnnx(bytes).graph.initializers.get('h')!;
    expect(t.dataType).toBe(10);
    expect(Array.from(t.data!)).toEqual(values);
  });

  it('rejects truncated files with E_MODEL_FORMAT', () => {
    for (const cut of [1, 2, 10, 100, 1000, shipped.length - 1]) {
      expect(() => readOnnx(shipped.subarray(0, cut))).toThrow(FaceEncoderError);
    }
  });

  it('never fails with anything but FaceEncoderError on mutated bytes', () => {
    const small = randomEncoder(1).subarray(0, 4000); // a prefix: many truncation points
    fc.assert(
      fc.property(fc.integer({ min: 0, max: small.length - 1 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 1, max: small.length }), (at, value, end) => {
        const bytes = small.slice(0, end);
        if (at < bytes.length) bytes[at] = value;
        try {
          readOnnx(bytes);
        } catch (e) {
          expect(e).toBeInstanceOf(FaceEncoderError);
          expect(['E_MODEL_FORMAT', 'E_MODEL_UNSUPPORTED']).toContain((e as FaceEncoderError).code);
        }
      }),
      { numRuns: 300, seed: 42 },
    );
  });
});
