/** Runs a CLI command module in process, capturing what it writes (the tests of every command use this). */
import { vi } from 'vitest';

/** What a command returned and printed. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Calls `run(argv)` with stdout and stderr captured, and restores both afterwards. */
export async function runCli(run: (argv: string[]) => Promise<number>, argv: string[]): Promise<CliResult> {
  let stdout = '', stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  try {
    return { code: await run(argv), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}
