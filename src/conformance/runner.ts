/**
 * Runs conformance vectors against a decoder and an encoder and reports, per vector, what was
 * expected and what came back. What each kind of case checks is spec/CONFORMANCE.md's "What is
 * checked"; this file is that table in code.
 */

import { AdapterError, type Implementation } from './adapter.js';
import { extensionsKey, type Answer, type ExtensionsJson, type ProfileRef, type Request } from './protocol.js';
import type { BatchItemResult, LoadedCase, ProfileResult } from './vectors.js';

/** Which side of an implementation a check exercises. */
export type Direction = 'decode' | 'encode';

/** One failed check of a case. */
export interface CheckFailure {
  direction: Direction;
  op: Request['op'];
  expected: unknown;
  actual: unknown;
}

export interface CaseResult {
  id: string;
  description: string;
  spec: string;
  status: 'passed' | 'failed' | 'skipped';
  /** Under `optional/`: a failure does not fail the run. */
  optional: boolean;
  /** Listed in the known-failures file: a failure does not fail the run. */
  known: boolean;
  failures: CheckFailure[];
}

export interface Report {
  results: CaseResult[];
  passed: number;
  failed: number;
  skipped: number;
  /** Failures neither known nor optional: the run fails when this is above 0. */
  unexpected: number;
  /** Known failures that passed: the known-failures file can lose these lines. */
  nowPassing: string[];
}

export interface RunOptions {
  /** Answers decode, profile and batch requests; absent: those checks are skipped. */
  decoder?: Implementation;
  /** Answers encode requests; absent: those checks are skipped. */
  encoder?: Implementation;
  /** Vector ids whose failure is expected. */
  knownFailures?: ReadonlySet<string>;
  /** Called after each case, e.g. for progress. */
  onResult?: (result: CaseResult) => void;
}

/** A check to run: the request, the direction that answers it, and whether an answer passes. */
interface Check {
  direction: Direction;
  request: Request;
  expected: unknown;
  judge(answer: Answer): boolean;
}

const errorExpected = (error: string) => ({ ok: false, error });

function judgeError(error: string) {
  return (a: Answer) => a.ok === false && a.error === error;
}

function sameGrid(a: unknown, b: readonly number[]): boolean {
  return Array.isArray(a) && a.length === b.length && a.every((v, i) => v === b[i]);
}

/** The mode field of a payload's byte 0 (§2.1): what a valid payload decodes with. */
function headerMode(hex: string): number {
  return (parseInt(hex.slice(0, 2), 16) >> 2) & 3;
}

/** True when a decode answer (or batch item) has this mode, grid and extensions. */
function decodedMatches(answer: unknown, mode: number, grid: readonly number[], ext: ExtensionsJson | undefined): boolean {
  const a = answer as { mode?: unknown; grid?: unknown; extensions?: ExtensionsJson };
  return a.mode === mode && sameGrid(a.grid, grid) && extensionsKey(a.extensions) === extensionsKey(ext);
}

function profileRef(c: LoadedCase): ProfileRef {
  return Array.isArray(c.case.profile) ? c.profilePaths : c.profilePaths[0]!;
}

/** An invalid case's check: the request fails with the case's code. */
function failsWith(direction: Direction, request: Request, error: string): Check {
  return { direction, request, expected: errorExpected(error), judge: judgeError(error) };
}

/** Payload cases: decode `hex`; encode `input` for canonical (roundtrip) and encoder-only cases. */
function payloadChecks(c: LoadedCase): Check[] {
  const v = c.case;
  const input = v.input;
  const checks: Check[] = [];
  if (v.hex !== undefined) {
    const request: Request = { op: 'decode', profile: profileRef(c), hex: v.hex };
    if (!v.valid) {
      checks.push(failsWith('decode', request, v.error!));
    } else {
      const mode = headerMode(v.hex);
      checks.push({
        direction: 'decode',
        request,
        expected: { ok: true, mode, grid: input!.grid, extensions: input!.extensions ?? {} },
        judge: (a) => a.ok && decodedMatches(a, mode, input!.grid, input!.extensions),
      });
    }
  }
  if (input !== undefined && ((v.valid && v.roundtrip) || (!v.valid && v.hex === undefined))) {
    const request: Request = {
      op: 'encode',
      profile: c.profilePaths[0]!,
      grid: input.grid,
      mode: input.mode,
      ...(input.contexts !== undefined && { contexts: input.contexts }),
      ...(input.fast !== undefined && { fast: input.fast }),
      ...(input.extensions !== undefined && { extensions: input.extensions }),
    };
    if (!v.valid) {
      checks.push(failsWith('encode', request, v.error!));
    } else {
      const hex = v.hex!;
      checks.push({ direction: 'encode', request, expected: { ok: true, hex }, judge: (a) => a.ok && (a as { hex?: unknown }).hex === hex });
    }
  }
  return checks;
}

/** Profile cases: load the file `hex`; a valid one has the expected id, hash and (if given) name. */
function profileCheck(c: LoadedCase): Check {
  const v = c.case;
  const request: Request = { op: 'profile', hex: v.hex! };
  if (!v.valid) return failsWith('decode', request, v.error!);
  const r = v.result as ProfileResult;
  return {
    direction: 'decode',
    request,
    expected: { ok: true, ...r },
    judge: (a) => {
      const p = a as { ok: boolean; id?: unknown; name?: unknown; sha256?: unknown };
      return p.ok && p.id === r.id && (p.name === undefined || p.name === r.name) && String(p.sha256).toLowerCase() === r.sha256;
    },
  };
}

/** Batch cases: read the envelope `hex`; a valid one gives each item's own outcome, in order. */
function batchCheck(c: LoadedCase): Check {
  const v = c.case;
  const request: Request = { op: 'batch', profile: profileRef(c), hex: v.hex! };
  if (!v.valid) return failsWith('decode', request, v.error!);
  const items = (v.result as { items: BatchItemResult[] }).items;
  return {
    direction: 'decode',
    request,
    expected: { ok: true, items: items.map((it) => (it.valid ? { id: it.id, ok: true, mode: it.mode, grid: it.grid } : { id: it.id, ok: false, error: it.error })) },
    judge: (a) => {
      const got = (a as { items?: unknown }).items;
      if (!a.ok || !Array.isArray(got) || got.length !== items.length) return false;
      return items.every((it, i) => {
        const g = got[i] as { id?: unknown; ok?: unknown; error?: unknown } | null;
        if (g === null || typeof g !== 'object' || g.id !== it.id) return false;
        return it.valid ? g.ok === true && decodedMatches(g, it.mode, it.grid, it.extensions) : g.ok === false && g.error === it.error;
      });
    },
  };
}

/** The checks of one case (spec/CONFORMANCE.md, "What is checked"). */
function checksOf(c: LoadedCase): Check[] {
  if (c.kind === 'payload') return payloadChecks(c);
  return [c.kind === 'profile' ? profileCheck(c) : batchCheck(c)];
}

/** What a request that threw instead of answering is reported as. */
function failureOf(e: unknown): string {
  if (e instanceof AdapterError) return `adapter failure: ${e.message}`;
  return `implementation threw: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`;
}

/** Runs every case, one request at a time, and tallies the results. */
export async function runVectors(cases: readonly LoadedCase[], options: RunOptions): Promise<Report> {
  const known = options.knownFailures ?? new Set<string>();
  const results: CaseResult[] = [];
  for (const c of cases) {
    const failures: CheckFailure[] = [];
    let ran = 0;
    for (const check of checksOf(c)) {
      const impl = check.direction === 'encode' ? options.encoder : options.decoder;
      if (impl === undefined) continue;
      let answer: Answer;
      try {
        answer = await impl.request(check.request);
      } catch (e) {
        // A crash, a hang or an exception of the implementation fails this case, never the run.
        failures.push({ direction: check.direction, op: check.request.op, expected: check.expected, actual: failureOf(e) });
        ran++;
        continue;
      }
      if (answer.ok === false && answer.error === 'unsupported') continue;
      ran++;
      if (!check.judge(answer)) failures.push({ direction: check.direction, op: check.request.op, expected: check.expected, actual: answer });
    }
    const status = failures.length > 0 ? 'failed' : ran > 0 ? 'passed' : 'skipped';
    const result: CaseResult = {
      id: c.id,
      description: c.case.description,
      spec: c.case.spec,
      status,
      optional: c.optional,
      known: known.has(c.id),
      failures,
    };
    results.push(result);
    options.onResult?.(result);
  }
  const count = (s: CaseResult['status']) => results.filter((r) => r.status === s).length;
  return {
    results,
    passed: count('passed'),
    failed: count('failed'),
    skipped: count('skipped'),
    unexpected: results.filter((r) => r.status === 'failed' && !r.known && !r.optional).length,
    nowPassing: results.filter((r) => r.known && r.status === 'passed').map((r) => r.id),
  };
}

/** Shortens long hex strings and grids in a value shown to a person. */
function show(value: unknown): string {
  const s = typeof value === 'string' ? value : JSON.stringify(value);
  return s.length > 400 ? `${s.slice(0, 400)}... (${s.length} chars)` : s;
}

/** The text report: each failing vector with expected and actual, then `N passed, N failed[, N skipped]`. */
export function formatReport(report: Report): string {
  const lines: string[] = [];
  for (const r of report.results) {
    if (r.status !== 'failed') continue;
    const tag = r.known ? 'KNOWN FAILURE' : r.optional ? 'FAIL (optional)' : 'FAIL';
    for (const f of r.failures) {
      lines.push(`${tag} ${r.id} [${f.direction}] ${r.spec}: ${r.description}`);
      lines.push(`  expected: ${show(f.expected)}`);
      lines.push(`  actual:   ${show(f.actual)}`);
    }
  }
  for (const id of report.nowPassing) lines.push(`note: ${id} is in the known-failures file but passed`);
  const tolerated = report.failed - report.unexpected;
  if (tolerated > 0) lines.push(`${tolerated} of the failures are known or optional and do not fail the run`);
  lines.push(`${report.passed} passed, ${report.failed} failed${report.skipped > 0 ? `, ${report.skipped} skipped` : ''}`);
  return lines.join('\n');
}
