/**
 * The targets in a bench's JSON report. The benches write them two ways: a map from target name
 * to pass (codec, encoder) or a list of `{ name, pass }` (server); a bench that failed to run
 * carries `error`.
 */

/** A bench's JSON report, as far as targets go. */
export interface BenchReport {
  targets?: Record<string, boolean> | { name: string; pass: boolean }[];
  error?: string;
  [field: string]: unknown;
}

/** The names of the targets `report` misses; a failed run counts as one. */
export function missedTargets(report: BenchReport): string[] {
  const missed: string[] = [];
  if (report.error !== undefined) missed.push(`did not run: ${report.error}`);
  const targets = report.targets;
  if (Array.isArray(targets)) missed.push(...targets.filter((t) => !t.pass).map((t) => t.name));
  else if (targets) missed.push(...Object.entries(targets).filter(([, pass]) => !pass).map(([name]) => name));
  else if (report.error === undefined) missed.push('no targets in the report');
  return missed;
}
