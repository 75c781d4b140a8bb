/**
 * A retrained model regenerates with no hand edits: the generator on another network of the
 * encoder's architecture (He-random float32 weights, a different width, the output behind an
 * Identity; test/sdk/_onnx-writer.ts) with a profile made for it, compiled with double sums, must
 * give the TypeScript SDK's grids and payloads on every demo face.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readProfile } from '../../src/codec/index.js';
import { generateFirmware } from '../../src/firmware/generate.js';
import { FaceEncoder } from '../../src/sdk/face-encoder.js';
import { demoChips } from '../sdk/_faces.js';
import { randomEncoder } from '../sdk/_onnx-writer.js';
import { testProfileBytes } from '../sdk/_profile.js';
import { FIRMWARE_DIR, hostToolsMissing, make, runChips } from './_harness.js';

const BUILD = 'build/random';

describe.skipIf(hostToolsMissing())('the generator on another encoder', () => {
  it('gives the SDK\'s grids and payloads (float32 weights, Identity output)', async () => {
    const chips = await demoChips();
    const model = randomEncoder(11);
    const profile = readProfile(testProfileBytes('m', chips, model));
    const { files, report } = generateFirmware(model, profile);
    expect(files['fvq_model.c']).toContain('FVQ_F32');
    const gen = path.join(FIRMWARE_DIR, BUILD, 'gen');
    fs.mkdirSync(gen, { recursive: true });
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(gen, name), text);
    make(BUILD, `${BUILD}/host-double/chips`);
    const c = runChips(BUILD, 'host-double/chips', chips, profile.gridLength);
    const encoder = await FaceEncoder.load({ profile, modelBytes: model, runtime: 'ts' });
    const sdk = await encoder.encodeChips(chips, { withGrid: true });
    expect(c.map((r) => [...r.grid])).toEqual(sdk.map((s) => [...s.grid!]));
    expect(c.map((r) => Buffer.from(r.payload).toString('hex'))).toEqual(sdk.map((s) => Buffer.from(s.payload).toString('hex')));
    expect(report.macs).toBeGreaterThan(0);
  }, 300_000);
});
