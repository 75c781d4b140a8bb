import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readProfile } from '../codec/index.js';
import { FaceEncoderError } from '../sdk/errors.js';
import { halfBits as writerHalfBits, writeOnnx } from '../../test/sdk/_onnx-writer.js';
import { floatLiteral, halfBits } from './c-text.js';
import { generateFirmware } from './generate.js';
import { planMemory } from './memory.js';

const profile = readProfile(new Uint8Array(fs.readFileSync('models/m.fvqp')));
const shipped = new Uint8Array(fs.readFileSync('models/encoder.onnx'));

/** A one-node graph [N,64,4,4] -> [N,64,4,4] with `op`, for the error paths (no profile hash: `encoder` dropped). */
function oneOp(op: string, attrs: Record<string, number> = {}): Uint8Array {
  return writeOnnx({ nodes: [{ op, inputs: ['image'], outputs: ['output'], attrs }], initializers: [], inputShape: [3, 64, 64] });
}

describe('generateFirmware', () => {
  it('writes the shipped encoder: every Conv counted, float16 weights, a planned arena', () => {
    const { files, report } = generateFirmware(shipped, profile);
    expect(Object.keys(files).sort()).toEqual(['fvq_model.c', 'fvq_model.h', 'fvq_model.json']);
    expect(report.layers.filter((l) => l.op.startsWith('Conv'))).toHaveLength(18);
    expect(report.weightBytes).toBeLessThan(shipped.length); // float16 in flash, as in the file
    expect(files['fvq_model.c']).toContain('FVQ_F16');
    expect(files['fvq_model.h']).toContain(`#define FVQ_MODEL_MACS ${report.macs}L`);
    // the peak is the first block: its depthwise output (16x32x32) beside its pointwise output
    // (32x32x32); each residual Add is folded into its Conv, which writes over the block's input
    expect(report.arenaBytes).toBe((16 + 32) * 32 * 32 * 4);
    // The only Adds left are the input mask's two (Add 1, Mul by the plane, Add -1), when the encoder has one.
    const masked = report.layers.some((l) => l.op === 'Mul');
    expect(report.layers.filter((l) => l.op === 'Add')).toHaveLength(masked ? 2 : 0);
  });

  it('names an op it has no emitter for (E_MODEL_UNSUPPORTED)', () => {
    const { encoder: _, ...noHash } = profile;
    const err = (() => { try { generateFirmware(oneOp('Sigmoid'), noHash); } catch (e) { return e; } })();
    expect(err).toBeInstanceOf(FaceEncoderError);
    expect((err as FaceEncoderError).code).toBe('E_MODEL_UNSUPPORTED');
    expect((err as Error).message).toMatch(/Sigmoid/);
  });

  it('refuses a model that is not the one the profile names (E_MODEL_HASH)', () => {
    expect(() => generateFirmware(oneOp('Relu'), profile)).toThrow(expect.objectContaining({ code: 'E_MODEL_HASH' }));
  });

  it('refuses a latent that does not fit the profile (E_PROFILE_MISMATCH)', () => {
    const { encoder: _, ...noHash } = profile;
    expect(() => generateFirmware(oneOp('Relu'), noHash)).toThrow(expect.objectContaining({ code: 'E_PROFILE_MISMATCH' }));
  });
});

describe('planMemory', () => {
  it('reuses the bytes of dead values and writes in place where allowed', () => {
    // 0 -> conv -> 1 -> relu (in place) -> 2 -> conv -> 3
    const plan = planMemory([
      { inputs: [0], output: 1, inPlace: false },
      { inputs: [1], output: 2, inPlace: true },
      { inputs: [2], output: 3, inPlace: false },
    ], [10, 20, 20, 10], 0, 3);
    expect(plan.offsets.get(2)).toBe(plan.offsets.get(1));
    expect(plan.offsets.get(3)).toBe(plan.offsets.get(0)); // value 0 is dead once value 1 exists
    expect(plan.arenaFloats).toBe(30);
  });

  it('never overlaps two values that are live together', () => {
    // a residual: 1 stays live across 2 and 3
    const plan = planMemory([
      { inputs: [0], output: 1, inPlace: false },
      { inputs: [1], output: 2, inPlace: false },
      { inputs: [2, 1], output: 3, inPlace: true },
    ], [4, 8, 8, 8], 0, 3);
    const [a, b] = [plan.offsets.get(1)!, plan.offsets.get(2)!];
    expect(Math.abs(a - b)).toBeGreaterThanOrEqual(8);
    expect(plan.offsets.get(3)).toBe(b); // written over its first input, which dies there
  });
});

describe('C literals', () => {
  it('float literals read back exactly', () => {
    for (const v of [0.1, -1e-38, 3.4028234663852886e38, 1 / 3, 5, -0]) {
      const text = floatLiteral(v);
      expect(text.endsWith('f')).toBe(true);
      expect(Object.is(Math.fround(Number(text.slice(0, -1))), Math.fround(v))).toBe(true);
    }
  });

  it('float16 bits agree with the test ONNX writer, subnormals included, and reject what float16 cannot hold', () => {
    for (const v of [1, -2.5, 65504, 2 ** -14, 2 ** -24, 3 * 2 ** -20, 0.0999755859375]) expect(halfBits(v)).toBe(writerHalfBits(v));
    expect(() => halfBits(0.1)).toThrow(RangeError);
    expect(() => halfBits(1e6)).toThrow(RangeError);
  });
});
