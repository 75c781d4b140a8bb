/**
 * `facevq firmware export [--profile m|s|FILE.fvqp] [--out DIR]`: writes the device encoder as
 * plain C99 (fvq_model.c, fvq_model.h) for examples/firmware, from the shipped encoder and the
 * profile, with fvq_model.json (layers, MACs, flash and RAM). See src/firmware/generate.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { readProfile } from '../codec/index.js';
import { generateFirmware } from '../firmware/generate.js';
import { DEFAULT_ENCODER_FILE, readShippedFile, SHIPPED_PROFILES } from '../sdk/models.js';
import { option, parseArgs, UsageError } from './args.js';

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'export') throw new UsageError('usage: facevq firmware export [--profile m|s|FILE.fvqp] [--out DIR]');
  const args = parseArgs(rest, ['profile', 'out']);
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument ${args.positionals[0]}`);
  const name = option(args, 'profile', 'm')!;
  const profileBytes = (SHIPPED_PROFILES as readonly string[]).includes(name) ? await readShippedFile(`${name}.fvqp`) : new Uint8Array(fs.readFileSync(name));
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
