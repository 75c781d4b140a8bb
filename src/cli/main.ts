#!/usr/bin/env node
/** The `facevq` command line: each command lives in its own module, loaded on demand. */
import { UsageError } from './args.js';

const COMMANDS: Record<string, { summary: string; load: () => Promise<{ run(argv: string[]): Promise<number> }> }> = {
  demo: { summary: 'encode, inspect and decode a face with the shipped profiles', load: () => import('./demo.js') },
  serve: { summary: 'run the matcher service on Node', load: () => import('./serve.js') },
  keys: { summary: 'create API keys for the Node store', load: () => import('./keys.js') },
  devices: { summary: 'device keys that sign payloads, and galleries that require them', load: () => import('./devices.js') },
  encode: { summary: 'encode face images into payloads', load: () => import('./encode.js') },
  inspect: { summary: 'print a payload\'s header, grid and bit costs', load: () => import('./inspect.js') },
  conformance: { summary: 'run the conformance vectors against a codec', load: () => import('./conformance.js') },
  firmware: { summary: 'export the device encoder as plain C for microcontrollers', load: () => import('./firmware.js') },
  teacher: { summary: 'cache aligned crops and teacher descriptors for a dataset', load: () => import('./teacher.js') },
  eval: { summary: 'evaluate profiles and baselines on LFW, pairs or identification', load: () => import('./eval.js') },
  profile: { summary: 'assemble a profile file from trained weights', load: () => import('./profile.js') },
  calibrate: { summary: 'calibrate the profiles\' thresholds on labelled impostor pairs', load: () => import('./calibrate.js') },
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const command = name ? COMMANDS[name] : undefined;
  if (!command) {
    const list = Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(12)} ${c.summary}`).join('\n');
    process.stderr.write(`usage: facevq <command> [options]\n\n${list}\n`);
    return name === undefined || name === '--help' ? 0 : 2;
  }
  try {
    return await (await command.load()).run(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`facevq ${name}: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (error) => {
    process.stderr.write(`facevq: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
