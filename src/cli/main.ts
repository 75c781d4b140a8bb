#!/usr/bin/env node
/** The `facevq` executable (package.json `bin`): the command line of `dispatch.ts`. */
import { runCommandLine } from './dispatch.js';

runCommandLine(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
