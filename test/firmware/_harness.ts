/**
 * Building and running the generated firmware on the host for the tests: `make` in
 * examples/firmware, then chips through its `chips` program (examples/firmware/chips_main.c).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';

export const FIRMWARE_DIR = path.resolve('examples/firmware');

/** Why the C tests cannot run here (no C compiler or make), or undefined. */
export function hostToolsMissing(): string | undefined {
  for (const tool of ['cc', 'make']) {
    if (spawnSync(tool, ['--version'], { stdio: 'ignore' }).error) return `${tool} is not installed (.ci/run installs gcc and make)`;
  }
  return undefined;
}

/**
 * Runs `make` in examples/firmware with `args`, building under `build` (a folder of its own per
 * test file: vitest runs files in parallel); throws with make's output on failure.
 */
export function make(build: string, ...args: string[]): string {
  return execFileSync('nice', ['-n', '19', 'make', '-s', '-C', FIRMWARE_DIR, `BUILD=${build}`, ...args], { encoding: 'utf8', stdio: 'pipe', timeout: 600_000 });
}

/** One chip's result from the C program. */
export interface ChipResult {
  grid: Uint16Array;
  payload: Uint8Array;
}

/** Parses the records chips_main.c writes: grid (gridLength uint16 LE), length (uint16 LE), payload. */
export function parseRecords(out: Uint8Array, gridLength: number): ChipResult[] {
  const results: ChipResult[] = [];
  const u16 = (at: number) => out[at]! | (out[at + 1]! << 8);
  for (let at = 0; at < out.length;) {
    const grid = new Uint16Array(gridLength);
    for (let i = 0; i < gridLength; i++, at += 2) grid[i] = u16(at);
    const len = u16(at);
    at += 2;
    results.push({ grid, payload: out.slice(at, at + len) });
    at += len;
  }
  return results;
}

/** Runs `program` (a path under examples/firmware/`build`) on `chips`, one record each. */
export function runChips(build: string, program: string, chips: readonly Uint8Array[], gridLength: number): ChipResult[] {
  const input = Buffer.concat(chips.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength)));
  const out = execFileSync(path.join(FIRMWARE_DIR, build, program), { input, maxBuffer: 1 << 28, timeout: 600_000 });
  const results = parseRecords(new Uint8Array(out), gridLength);
  if (results.length !== chips.length) throw new Error(`${program}: ${results.length} records for ${chips.length} chips`);
  return results;
}
