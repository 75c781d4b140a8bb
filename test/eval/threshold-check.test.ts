/**
 * The shipped profiles' decision thresholds, checked on faces their calibration never saw: every
 * pair of the AT&T faces (`../shared/data/orl`: 40 people x 10 photos, 78,000 impostor pairs)
 * through the shipped path (`facevq eval identify`: detection, device encoder, payload bytes,
 * decode, head). `facevq calibrate` set them on held-out CelebA identities; a threshold serves
 * as "FAR 1e-3" only if it accepts about that share of impostors elsewhere too.
 *
 * The stated factor: the measured FAR at `far1e2` and `far1e3` lies within FACTOR of nominal
 * both ways; at `far1e4` (about 8 expected false accepts) it is at most FACTOR x nominal and
 * above zero, which a threshold as conservative as the old UTKFace-calibrated 0.919 fails.
 * FACTOR is 5, not 2: AT&T is 40 people of similar age and looks, in grey, under one light, so
 * its impostors look more alike than CelebA's. v8's thresholds measured 2.0-4.1x their nominal
 * rates here (`m`: 3.67%, 0.41%, 0.036%), v7's 2.8-3.5x; the model card gives the table. Needs
 * `../shared/data/orl` and the shipped models; skips with the reason.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../_cli.js';
import { run } from '../../src/cli/eval.js';
import type { Calibration } from '../../src/eval/calibrate.js';

const FACTOR = 5;
const ORL = path.resolve('../shared/data/orl');
const PROFILES = ['m', 's', 'xs'];
const missing = [ORL, 'models/encoder.onnx', ...PROFILES.map((p) => `models/${p}.fvqp`)].filter((p) => !fs.existsSync(p));
const reason = missing.length ? ` (skipped: ${missing.join(', ')} not found; the AT&T faces and the shipped models are needed)` : '';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'facevq-threshold-check-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe.skipIf(missing.length > 0)(`the shipped thresholds on the AT&T faces${reason}`, () => {
  it(`accept within a factor ${FACTOR} of their nominal false-accept rates`, { timeout: 900_000 }, async () => {
    const argv = ['identify', '--data', ORL, '--methods', PROFILES.map((p) => `facevq:${p}`).join(','), '--json', '--cache', path.join(tmp, 'cache'), '--out', path.join(tmp, 'out')];
    const { code, stdout } = await runCli(run, argv);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as { methods: { name: string; failures: number; thresholdCheck: Calibration }[] };
    for (const method of report.methods) {
      const check = method.thresholdCheck;
      expect(method.failures, method.name).toBe(0);
      expect(check.impostorPairs, method.name).toBe(78_000);
      const { far1e2, far1e3, far1e4 } = check.points;
      for (const [p, nominal] of [[far1e2, 1e-2], [far1e3, 1e-3]] as const) {
        expect(p.far, `${method.name} at ${nominal}`).toBeGreaterThanOrEqual(nominal / FACTOR);
        expect(p.far, `${method.name} at ${nominal}`).toBeLessThanOrEqual(nominal * FACTOR);
      }
      expect(far1e4.far, `${method.name} at 1e-4`).toBeLessThanOrEqual(1e-4 * FACTOR);
      expect(far1e4.far, `${method.name} at 1e-4`).toBeGreaterThan(0);
      // Stricter thresholds: fewer genuine pairs accepted, never more.
      expect(far1e2.gar).toBeGreaterThanOrEqual(far1e3.gar);
      expect(far1e3.gar).toBeGreaterThanOrEqual(far1e4.gar);
    }
  });
});
