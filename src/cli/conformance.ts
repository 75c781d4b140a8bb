/**
 * `facevq conformance [--vectors DIR] [--decoder "CMD"] [--encoder "CMD"] [--known-failures FILE]
 * [--timeout MS] [--json]`: runs the vectors of spec/vectors against the built-in codec, or against
 * programs speaking the line protocol of spec/CONFORMANCE.md. Exit status 0 only when no vector
 * failed unexpectedly (and at least one ran).
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  builtinImplementation,
  formatReport,
  loadVectors,
  runVectors,
  startAdapter,
  type Implementation,
} from '../conformance/index.js';
import { numberOption, option, parseCommandArgs } from './args.js';
import { UsageError } from './errors.js';
import type { CommandHelp } from './help.js';
import { packageDir } from './package-dir.js';

export const help: CommandHelp = {
  usage: ['conformance [--vectors DIR] [--decoder "CMD"] [--encoder "CMD"] [--known-failures FILE] [--timeout MS] [--json]'],
  description: `
Runs every conformance vector (spec/vectors) against the built-in codec, or against a decoder
and/or an encoder given as a shell command speaking the line protocol of spec/CONFORMANCE.md.
With only --decoder, encode checks are skipped, and the other way round. Exit status 0 only when
no vector failed unexpectedly and at least one ran.`,
  options: [
    { name: 'vectors', value: 'DIR', description: 'the vectors folder', default: "the package's spec/vectors" },
    { name: 'decoder', value: '"CMD"', description: 'a decoder to test (a shell command)' },
    { name: 'encoder', value: '"CMD"', description: 'an encoder to test (a shell command)' },
    { name: 'known-failures', value: 'FILE', description: 'vector ids expected to fail, one a line' },
    { name: 'timeout', value: 'MS', description: 'per-vector time limit of an external codec', default: '10000' },
    { name: 'json', description: 'print the report as JSON' },
  ],
  examples: ['conformance', 'conformance --decoder "./fvq-c --decode"', 'conformance --json'],
};

/** The vectors shipped with the package, else ./spec/vectors. */
function defaultVectorsDir(): string {
  const root = packageDir();
  return root === undefined ? 'spec/vectors' : path.join(root, 'spec/vectors');
}

/** Vector ids, one a line; blank lines and `#` comments are ignored. */
function readKnownFailures(file: string): Set<string> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read --known-failures ${file}: ${(e as Error).message}`);
  }
  return new Set(text.split('\n').map((l) => l.replace(/#.*/, '').trim()).filter((l) => l !== ''));
}

/** Runs the command; returns the exit status. */
export async function run(argv: string[]): Promise<number> {
  const args = parseCommandArgs(argv, help);
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument ${args.positionals[0]}`);
  const dir = option(args, 'vectors') ?? defaultVectorsDir();
  const knownFile = option(args, 'known-failures');
  const known = knownFile === undefined ? new Set<string>() : readKnownFailures(knownFile);
  const timeoutMs = numberOption(args, 'timeout', 10_000);
  const decoderCmd = option(args, 'decoder');
  const encoderCmd = option(args, 'encoder');

  let cases;
  try {
    cases = loadVectors(dir);
  } catch (e) {
    process.stderr.write(`facevq conformance: ${(e as Error).message}\n`);
    return 1;
  }

  const ids = new Set(cases.map((c) => c.id));
  for (const id of known) if (!ids.has(id)) process.stderr.write(`facevq conformance: --known-failures names ${id}, which is not a vector\n`);

  const started: Implementation[] = [];
  const adapter = (cmd: string) => {
    const impl = startAdapter(cmd, { timeoutMs });
    started.push(impl);
    return impl;
  };
  let decoder: Implementation | undefined;
  let encoder: Implementation | undefined;
  if (decoderCmd === undefined && encoderCmd === undefined) {
    decoder = encoder = builtinImplementation();
  } else {
    if (decoderCmd !== undefined) decoder = adapter(decoderCmd);
    if (encoderCmd !== undefined) encoder = encoderCmd === decoderCmd ? decoder : adapter(encoderCmd);
  }

  let report;
  try {
    report = await runVectors(cases, { decoder, encoder, knownFailures: known });
  } finally {
    await Promise.all(started.map((impl) => impl.close()));
  }
  if (args.flags.has('json')) {
    const { results, ...totals } = report;
    const out = {
      ...totals,
      decoder: decoder?.name ?? null,
      encoder: encoder?.name ?? null,
      failures: results.filter((r) => r.status === 'failed'),
    };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } else {
    process.stdout.write(`${formatReport(report)}\n`);
  }
  return report.unexpected === 0 && report.passed > 0 ? 0 : 1;
}
