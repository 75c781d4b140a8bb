/**
 * Every command's `--help`, from one description: usage lines, a paragraph, the options with
 * their defaults, and examples, in the layout of git's and cargo's help pages. The same
 * description lists the options {@link parseArgs} accepts, so help and parser cannot disagree.
 */

/** One option: `--name VALUE` when it has a `value` placeholder, else a flag. */
export interface OptionHelp {
  name: string;
  /** Placeholder for the value (`N`, `FILE`); absent for a flag. */
  value?: string;
  description: string;
  /** The default, as the user would type it. */
  default?: string;
}

/** A command's help page. */
export interface CommandHelp {
  /** Usage lines without the leading `facevq ` (several for commands with subcommands). */
  usage: string[];
  /** What the command does, a few lines. */
  description: string;
  options: OptionHelp[];
  /** Command lines without the leading `facevq `, each optionally followed by `  # comment`. */
  examples: string[];
}

/** The help page as printed. */
export function formatHelp(help: CommandHelp): string {
  const options = [...help.options, { name: 'help', description: 'print this help and exit' }];
  const left = options.map((o) => `--${o.name}${o.value ? ` ${o.value}` : ''}`);
  const width = Math.max(...left.map((l) => l.length)) + 2;
  const lines = [
    'usage:',
    ...help.usage.map((u) => `  facevq ${u}`),
    '',
    help.description.trim(),
    '',
    'options:',
    ...options.map((o, i) => `  ${left[i]!.padEnd(width)}${o.description}${'default' in o && o.default !== undefined ? ` (default: ${o.default})` : ''}`),
  ];
  if (help.examples.length > 0) lines.push('', 'examples:', ...help.examples.map((e) => `  facevq ${e}`));
  return lines.join('\n') + '\n';
}

/** The names of the options that take a value, and of the flags. */
export function optionNames(help: CommandHelp): { valued: string[]; flags: string[] } {
  return {
    valued: help.options.filter((o) => o.value !== undefined).map((o) => o.name),
    flags: help.options.filter((o) => o.value === undefined).map((o) => o.name),
  };
}
