/**
 * The CLI's commands. Each lives in its own module, loaded only when run, which exports
 * `help` (its {@link CommandHelp}) and `run(argv)` (the exit status). Adding a command is one
 * line here; `facevq --help` lists them in this order.
 */
import type { CommandHelp } from './help.js';

/** A command module. */
export interface CommandModule {
  help: CommandHelp;
  run(argv: string[]): Promise<number>;
}

/** A command: its name, one line for `facevq --help`, and its module. */
export interface Command {
  name: string;
  summary: string;
  load(): Promise<CommandModule>;
}

export const COMMANDS: readonly Command[] = [
  { name: 'serve', summary: 'run the matcher service on Node', load: () => import('./serve.js') },
  { name: 'keys', summary: 'create, list, revoke and rotate API keys (Node store), or make one for the Worker', load: () => import('./keys.js') },
  { name: 'devices', summary: 'device keys that sign payloads, and galleries that require them', load: () => import('./devices.js') },
  { name: 'encode', summary: 'encode the faces in images into payloads (.fvq)', load: () => import('./encode.js') },
  { name: 'inspect', summary: "print a payload's header, grid and bit costs", load: () => import('./inspect.js') },
  { name: 'demo', summary: 'encode, decode and match the faces of a group photo', load: () => import('./demo.js') },
  { name: 'conformance', summary: 'run the conformance vectors against a codec', load: () => import('./conformance.js') },
  { name: 'firmware', summary: 'export the device encoder as plain C for microcontrollers', load: () => import('./firmware.js') },
  { name: 'teacher', summary: 'cache aligned crops and teacher descriptors of a dataset', load: () => import('./teacher.js') },
  { name: 'eval', summary: 'evaluate profiles and baselines on LFW, pairs or identification', load: () => import('./eval.js') },
  { name: 'profile', summary: 'assemble a profile file from a training export', load: () => import('./profile.js') },
  { name: 'calibrate', summary: "calibrate the profiles' thresholds on labelled impostor pairs", load: () => import('./calibrate.js') },
];
