/** A small, strict argument parser shared by the CLI commands. */
import { UsageError } from './errors.js';
import { optionNames, type CommandHelp } from './help.js';

// Commands written before errors.ts took UsageError from here.
export { UsageError } from './errors.js';

/** Parsed arguments: named options (repeatable ones collect into arrays) and positionals. */
export interface ParsedArgs {
  options: Map<string, string[]>;
  flags: Set<string>;
  positionals: string[];
}

/**
 * Parses `--name value`, `--name=value` and boolean `--flag`s. `valued` lists the options that take
 * a value; any other `--x` must be in `flags`, else {@link UsageError}.
 */
export function parseArgs(argv: readonly string[], valued: readonly string[], flags: readonly string[] = []): ParsedArgs {
  const out: ParsedArgs = { options: new Map(), flags: new Set(), positionals: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--') || arg === '--') {
      out.positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (valued.includes(name)) {
      const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      const list = out.options.get(name) ?? [];
      list.push(value);
      out.options.set(name, list);
    } else if (flags.includes(name) && eq < 0) {
      out.flags.add(name);
    } else {
      throw new UsageError(`unknown option --${name}`);
    }
  }
  return out;
}

/** Parses `argv` against the options a command's help page lists. */
export function parseCommandArgs(argv: readonly string[], help: CommandHelp): ParsedArgs {
  const { valued, flags } = optionNames(help);
  return parseArgs(argv, valued, flags);
}

/** The last value of option `name`, or `fallback`. */
export function option(args: ParsedArgs, name: string, fallback?: string): string | undefined {
  return args.options.get(name)?.at(-1) ?? fallback;
}

/** Option `name` as a finite number, or `fallback`; anything else is a {@link UsageError}. */
export function numberOption(args: ParsedArgs, name: string, fallback: number): number {
  const raw = option(args, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new UsageError(`--${name} must be a number, got ${JSON.stringify(raw)}`);
  return value;
}

/** Option `name` as an integer in `[min, max]`, or `fallback`; anything else is a {@link UsageError}. */
export function integerOption(args: ParsedArgs, name: string, fallback: number, min: number, max: number): number {
  const value = numberOption(args, name, fallback);
  if (!Number.isInteger(value) || value < min || value > max) throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got ${option(args, name)}`);
  return value;
}
