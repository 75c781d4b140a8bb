/**
 * `npm run bench:energy [-- --json] [--svg FILE]`
 *
 * Energy per identification on a battery device: facevq (`m` over LoRa, `s` over LoRa and BLE)
 * against (a) sending the chip as an image, as large as the model card compares, over several
 * LoRaWAN frames, and (b) running a recognition network on the device and sending its 1-bit code
 * (16 bytes). Model and sources: bench/energy/ (parts.ts: nRF52840 and SX1262 datasheet figures;
 * radio.ts: the Semtech LoRa time-on-air formula, LoRaWAN framing, BLE advertising; model.ts).
 *
 * Compute is measured, not assumed: the generated C encoder (examples/firmware) runs under
 * qemu-system-arm on an emulated Cortex-M4F (mps2-an386, -O2) with instruction counting, on real
 * face chips. The networks of (b) are priced at the same instructions per multiply-accumulate as
 * that encoder; image encoding in (a) is counted as free (it favours the alternative). Without
 * arm-none-eabi-gcc and QEMU the encoder's count is estimated from its MACs and says so.
 * Accuracy and payload sizes are read from the model card's LFW View 2 table (models/README.md).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { option, parseArgs } from '../src/cli/args.js';
import { readProfile } from '../src/codec/index.js';
import { generateFirmware } from '../src/firmware/generate.js';
import { demoChips } from '../test/sdk/_faces.js';
import { cardRow, lfwView2Rows } from './energy/model-card.js';
import { price, SPREADING_FACTORS, type EnergyOption, type EnergyResult } from './energy/model.js';
import { CYCLES_PER_INSTRUCTION, JOULES_PER_CYCLE, LORA, MCU } from './energy/parts.js';
import { energyAccuracySvg } from './energy/plot.js';

const FIRMWARE = path.join('examples', 'firmware');

/** Instructions per MAC of the generated encoder on mps2-an386 at -O2, measured 2026-12-02 (test/firmware/qemu.test.ts): the fallback's only use. */
const ESTIMATED_INSTRUCTIONS_PER_MAC = 9.59;

/** The faceres teacher (224x224) and a MobileFaceNet-class network, FLOPs per face (2 per MAC). */
const TEACHER_FLOPS = 1.1e9, MOBILEFACENET_FLOPS = 440e6;

/** Instructions a face of the generated encoder under QEMU (mean over chips), or undefined without the tools. */
function measureInstructions(chips: readonly Uint8Array[]): number | undefined {
  if (['arm-none-eabi-gcc', 'qemu-system-arm', 'make'].some((t) => spawnSync(t, ['--version'], { stdio: 'ignore' }).error)) return undefined;
  execFileSync('make', ['-s', '-C', FIRMWARE, 'arm'], { stdio: 'pipe' });
  fs.writeFileSync(path.join(FIRMWARE, 'build', 'chips.bin'), Buffer.concat(chips));
  const out = execFileSync('make', ['-s', '-C', FIRMWARE, 'qemu-check'], { encoding: 'utf8' });
  const m4f = out.split(/^board /m).find((b) => b.startsWith('mps2-an386')) ?? '';
  const counts = [...m4f.matchAll(/^chip \d+ instructions (\d+)/gm)].map((m) => Number(m[1]));
  if (counts.length !== chips.length) throw new Error(`qemu-check: ${counts.length} counts for ${chips.length} chips:\n${out}`);
  return counts.reduce((a, b) => a + b, 0) / counts.length;
}

const fixed = (v: number, d = 1) => v.toFixed(d);

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), ['svg'], ['json']);
  const rows = lfwView2Rows(fs.readFileSync(path.join('models', 'README.md'), 'utf8'));
  const profile = readProfile(new Uint8Array(fs.readFileSync(path.join('models', 'm.fvqp'))));
  const macs = generateFirmware(new Uint8Array(fs.readFileSync(path.join('models', profile.encoder?.file ?? 'encoder.onnx'))), profile).report.macs;
  const measured = measureInstructions((await demoChips()).slice(0, 3));
  const encoderInstructions = measured ?? macs * ESTIMATED_INSTRUCTIONS_PER_MAC;
  const perMac = encoderInstructions / macs;
  const encoderSource = measured !== undefined
    ? 'measured: the generated C encoder + quantiser + codec under qemu-system-arm -icount, mps2-an386 (Cortex-M4F), -O2, 3 real chips'
    : `ESTIMATED (arm-none-eabi-gcc or qemu-system-arm missing): ${macs} MACs x ${ESTIMATED_INSTRUCTIONS_PER_MAC} instructions per MAC measured earlier`;
  const network = (flops: number) => ({ instructions: (flops / 2) * perMac, instructionsSource: `${flops / 1e6} MFLOPs / 2 MACs x ${fixed(perMac, 2)} instructions per MAC (the facevq encoder's rate)` });
  const card = (prefix: string) => cardRow(rows, prefix);
  const facevq = (name: 'm' | 's', link: 'lora' | 'ble'): EnergyOption => ({
    name: `facevq ${name} (${link === 'ble' ? 'BLE' : 'LoRa'})`, device: `encoder ${fixed(macs / 1e6, 2)} M MACs, quantiser, range coder`,
    instructions: encoderInstructions, instructionsSource: encoderSource,
    bytes: Math.ceil(card(`facevq:${name}`).bytesMean), link, accuracy: card(`facevq:${name}`).accuracy,
  });
  const image = (name: string, prefix: string): EnergyOption => ({
    name, device: 'JPEG/WebP encoder (counted as free)', instructions: 0, instructionsSource: 'not counted (favours this option)',
    bytes: Math.ceil(card(prefix).bytesMean), link: 'lora', accuracy: card(prefix).accuracy,
  });
  const options: EnergyOption[] = [
    facevq('m', 'lora'), facevq('s', 'lora'), facevq('s', 'ble'),
    image('JPEG of the chip ~1,200 B', 'JPEG of the chip ~1,200 B'),
    image('WebP of the chip ~500 B', 'WebP of the chip ~500 B'),
    image('JPEG of the chip, smallest (16 px)', 'JPEG of the chip, as small as JPEG goes'),
    { name: 'teacher on device, 1 bit/dim', device: 'faceres, 1.1 GFLOPs', ...network(TEACHER_FLOPS), bytes: 16, link: 'lora', accuracy: card('teacher 1 bit/dim').accuracy },
    { name: 'MobileFaceNet-class on device, 1 bit/dim', device: 'a 440 MFLOPs network', ...network(MOBILEFACENET_FLOPS), bytes: 16, link: 'lora', accuracy: undefined },
  ];
  const results = options.map(price);
  const base = results[0]!;
  const ratio = (r: EnergyResult, sf: number) => (r.totalMj[sf] ?? r.totalMj[0]!) / base.totalMj[sf]!;
  const svg = option(args, 'svg');
  if (svg) fs.writeFileSync(svg, energyAccuracySvg(results));
  if (args.flags.has('json')) {
    const parts = { mcu: MCU, lora: LORA, joulesPerCycle: JOULES_PER_CYCLE, cyclesPerInstruction: CYCLES_PER_INSTRUCTION };
    process.stdout.write(`${JSON.stringify({ parts, encoder: { macs, instructions: encoderInstructions, source: encoderSource }, results: results.map((r) => ({ ...r, vsFacevqM: Object.fromEntries(SPREADING_FACTORS.map((sf) => [sf, ratio(r, sf)])) })) }, null, 2)}\n`);
    return;
  }
  process.stdout.write(`MCU ${MCU.part}: ${fixed(JOULES_PER_CYCLE * 1e9, 3)} nJ a cycle, ${CYCLES_PER_INSTRUCTION} cycle an instruction; LoRa ${LORA.part}\n`);
  process.stdout.write(`facevq encoder: ${fixed(encoderInstructions / 1e6)} M instructions a face (${fixed(perMac, 2)} per MAC; ${encoderSource})\n\n`);
  process.stdout.write('| option | on the device | compute mJ | bytes sent | LoRa SF7: frames, mJ | SF12: frames, mJ | x facevq m SF7 / SF12 | LFW View 2 |\n|---|---|---|---|---|---|---|---|\n');
  for (const r of results) {
    const lora = (sf: number) => (r.link === 'ble' ? `BLE adv: ${fixed(r.totalMj[0]!, 2)}` : `${r.radio[sf]!.frames}, ${fixed(r.totalMj[sf]!)}`);
    process.stdout.write(`| ${r.name} | ${r.device} | ${fixed(r.computeMj)} | ${r.bytes} | ${lora(7)} | ${r.link === 'ble' ? '' : lora(12)} | ` +
      `${r.link === 'ble' ? fixed(ratio(r, 7), 3) : `${fixed(ratio(r, 7), 2)} / ${fixed(ratio(r, 12), 2)}`} | ${r.accuracy === undefined ? 'not measured' : `${r.accuracy}%`} |\n`);
  }
}

await main();
