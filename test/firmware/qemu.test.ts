/**
 * The generated encoder on a real target instruction set: cross-compiled with arm-none-eabi-gcc for
 * Cortex-M4F and Cortex-M33 (-Os, -O2, -Wall -Wextra -Werror -pedantic), and run under
 * qemu-system-arm on emulated Cortex-M4F and Cortex-M33 boards (mps2-an386, mps2-an505) with semihosting: real chips in,
 * payloads out, which must equal the host build's byte for byte (both sum in float, in the same
 * order, with no fused multiply-add under -std=c99).
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { demoChips } from '../sdk/_faces.js';
import { FIRMWARE_DIR, hostToolsMissing, make, runChips } from './_harness.js';

function crossToolsMissing(): string | undefined {
  for (const tool of ['arm-none-eabi-gcc', 'qemu-system-arm']) {
    if (spawnSync(tool, ['--version'], { stdio: 'ignore' }).error) {
      return `${tool} is not installed (apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm; .ci/run does)`;
    }
  }
  return undefined;
}

const skip = hostToolsMissing() ?? crossToolsMissing();
const CHIPS = 3;
const BUILD = 'build/qemu';

describe.skipIf(skip)('the generated encoder on Cortex-M under QEMU', () => {
  let chips: Uint8Array[];
  beforeAll(async () => {
    make(BUILD, `${BUILD}/host/chips`, 'arm');
    chips = (await demoChips()).slice(0, CHIPS);
    fs.writeFileSync(path.join(FIRMWARE_DIR, BUILD, 'chips.bin'), Buffer.concat(chips));
  }, 600_000);

  it('builds for Cortex-M4F and Cortex-M33 at -Os and -O2', () => {
    for (const target of ['m4f-Os', 'm4f-O2', 'm33-Os', 'm33-O2']) expect(fs.existsSync(path.join(FIRMWARE_DIR, BUILD, target, 'bench.elf'))).toBe(true);
  });

  it('mps2-an386 (M4F) and mps2-an505 (M33): the payloads of the host build, with instructions and stack counted', () => {
    const out = make(BUILD, 'qemu-check');
    const host = runChips(BUILD, 'host/chips', chips, 64).map((h) => Buffer.from(h.payload).toString('hex'));
    const macs = Number(/#define FVQ_MODEL_MACS (\d+)L/.exec(fs.readFileSync(path.join(FIRMWARE_DIR, BUILD, 'gen', 'fvq_model.h'), 'utf8'))![1]);
    const boards = out.split(/^board /m).slice(1);
    expect(boards.map((b) => b.split(' ')[0])).toEqual(['mps2-an386', 'mps2-an505']);
    for (const board of boards) {
      const rows = [...board.matchAll(/^chip (\d+) instructions (\d+) stack (\d+) payload ([0-9a-f]+)$/gm)];
      expect(board).toContain(`done ${CHIPS}`);
      expect(rows.map((r) => r[4])).toEqual(host);
      for (const r of rows) {
        expect(Number(r[2])).toBeGreaterThan(macs); // at least one instruction a multiply-accumulate
        expect(Number(r[3])).toBeLessThan(8192); // the encoder and codec run on a few KiB of stack
      }
      console.log(`${board.split('\n')[0]} -O2: ${rows[0]![2]} instructions a face (${(Number(rows[0]![2]) / macs).toFixed(2)} per MAC), ${rows[0]![3]} bytes of stack`);
    }
  }, 300_000);
});
