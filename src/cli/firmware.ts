/**
 * `facevq firmware export [--profile NAME|FILE.fvqp] [--out DIR]`: writes the device encoder as
 * plain C99 (fvq_model.c, fvq_model.h) for examples/firmware, from the shipped encoder and the
 * profile, with fvq_model.json (layers, MACs, flash and RAM). See src/firmware/generate.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { readProfile } from '../codec/index.js';
import { generateFirmware } from '../firmware/generate.js';
import { DEFAULT_ENCODER_FILE, readShippedFile, SHIPPED_PROFILES } from '../sdk/models.js';
import { option, parseCommandArgs } from './args.js';
import { UsageError } from './errors.js';
import type { CommandHelp } from './help.js';

export const help: CommandHelp = {
  usage: ['firmware export [--profile NAME|FILE.fvqp] [--out DIR]'],
  description: `
Writes the device encoder as plain C99 for microcontrollers: fvq_model.c and fvq_model.h (the
shipped encoder's layers with float16 weights in flash, a static activation arena, the profile and
the quantiser) for examples/firmware, and fvq_model.json (layers, MACs, flash and RAM). Build it
with the examples/c codec; fvq_encode_chip() turns a 64x64 chip into a payload with no heap.`,
  options: [
    { name: 'profile', value: 'NAME|FILE', description: `a shipped profile (${SHIPPED_PROFILES.join(', ')}) or a .fvqp file`, default: SHIPPED_PROFILES[0] },
    { name: 'out', value: 'DIR', description: 'the folder to write (created if missing)', default: 'examples/firmware/build/gen' },
  ],
  examples: ['firmware export', 'firmware export --profile s --out fw/    # the s profile into fw/'],
};

/** Runs the command; returns the exit status. */
export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined) throw new UsageError('which firmware command: export?');
  if (sub !== 'export') throw new UsageError(`unknown firmware command ${JSON.stringify(sub)}: export`);
  const args = parseCommandArgs(rest, help);
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument ${args.positionals[0]}`);
  const name = option(args, 'profile', SHIPPED_PROFILES[0])!;
  const shipped = (SHIPPED_PROFILES as readonly string[]).includes(name);
  if (!shipped && !fs.statSync(name, { throwIfNoEntry: false })?.isFile()) throw new UsageError(`--profile ${name}: not a shipped profile (${SHIPPED_PROFILES.join(', ')}) nor a profile file`);
  const profileBytes = shipped ? await readShippedFile(`${name}.fvqp`) : new Uint8Array(fs.readFileSync(name));
  const profile = readProfile(profileBytes);
  const modelFile = profile.encoder?.file ?? DEFAULT_ENCODER_FILE;
  const firmware = generateFirmware(await readShippedFile(modelFile), profile, modelFile);
  const out = option(args, 'out', 'examples/firmware/build/gen')!;
  fs.mkdirSync(out, { recursive: true });
  for (const [file, text] of Object.entries(firmware.files)) fs.writeFileSync(path.join(out, file), text);
  const r = firmware.report;
  process.stdout.write(`${out}: ${r.layers.length} layers, ${(r.macs / 1e6).toFixed(2)} M MACs, weights ${r.weightBytes} B + profile ${r.profileBytes} B in flash, ` +
    `activations ${r.arenaBytes} B + ${r.accumulators} accumulators in RAM\n`);
  return 0;
}
