/**
 * The `facevq` command line: finds the command (`commands.ts`), answers `--help`, runs it, and
 * prints any failure as one line with its code (`errors.ts`). Exit status: 0 success, 1 failure,
 * 2 a command line that does not fit.
 */
import { COMMANDS } from './commands.js';
import { describeError } from './errors.js';
import { formatHelp } from './help.js';

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return [
    'usage: facevq <command> [options]',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    "run 'facevq <command> --help' for a command's options and examples",
    '',
  ].join('\n');
}

const wantsHelp = (argv: readonly string[]) => argv.some((a) => a === '--help' || a === '-h');

/** Runs the command line `argv`; returns the exit status. */
export async function runCommandLine(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? process.stderr : process.stdout).write(overview());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`facevq: E_USAGE: unknown command ${JSON.stringify(name)}\n\n${overview()}`);
    return 2;
  }
  try {
    const module = await command.load();
    if (wantsHelp(rest)) {
      process.stdout.write(formatHelp(module.help));
      return 0;
    }
    return await module.run(rest);
  } catch (error) {
    const { code, message } = describeError(error);
    const exitCode = (error as { exitCode?: number }).exitCode ?? 1;
    process.stderr.write(`facevq ${name}: ${code}: ${message}\n`);
    if (exitCode === 2) process.stderr.write(`run 'facevq ${name} --help' for usage\n`);
    else if (code === 'E_INTERNAL') {
      if (process.env.FACEVQ_DEBUG) process.stderr.write(`${(error as Error).stack ?? ''}\n`);
      else process.stderr.write('(set FACEVQ_DEBUG=1 to see where)\n');
    }
    return exitCode;
  }
}
