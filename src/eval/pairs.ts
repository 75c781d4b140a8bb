/**
 * Verification pair lists: LFW's `pairs.txt` format and plain `a,b,same` CSV files, each pair
 * tagged with the cross-validation fold it belongs to.
 *
 * LFW View 2 (`pairs.txt`): a header `10 300` (folds, pairs of each kind per fold), then for each
 * fold 300 matched lines `name n1 n2` and 300 mismatched lines `name1 n1 name2 n2`. View 1
 * (`pairsDevTrain.txt`, `pairsDevTest.txt`) has a one-number header `N`, N matched lines then N
 * mismatched lines and no folds; we cut each kind into 10 contiguous blocks so that the threshold
 * can still be chosen on nine tenths and applied to the tenth (say so when you report View 1).
 */

/** One verification pair: two image paths (relative to the data folder), the truth, its fold. */
export interface Pair {
  a: string;
  b: string;
  same: boolean;
  /** 0-based cross-validation fold. */
  fold: number;
}

/** The number of folds a CSV file or a View-1 file is cut into. */
export const DEFAULT_FOLDS = 10;

/** The image path of LFW person `name`, image number `n` (1-based): `name/name_000n.jpg`. */
export function lfwImagePath(name: string, n: string | number): string {
  return `${name}/${name}_${String(n).padStart(4, '0')}.jpg`;
}

/** Parses an LFW pairs file (View 2 with folds, or View 1 without). Throws a RangeError on a malformed line. */
export function parseLfwPairs(text: string): Pair[] {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0);
  const header = (lines[0] ?? '').split(/\s+/).map(Number);
  if (header.length < 1 || header.length > 2 || !header.every((n) => Number.isInteger(n) && n > 0)) {
    throw new RangeError(`pairs: header must be "FOLDS PER_FOLD" or "N", got ${JSON.stringify(lines[0])}`);
  }
  const [folds, perKind] = header.length === 2 ? [header[0]!, header[1]!] : [1, header[0]!];
  const expected = 1 + folds * 2 * perKind;
  if (lines.length !== expected) throw new RangeError(`pairs: expected ${expected - 1} pair lines after the header, got ${lines.length - 1}`);

  const pairs: Pair[] = [];
  for (let i = 1; i < lines.length; i++) {
    const f = lines[i]!.split(/\s+/);
    const k = i - 1;
    const block = Math.floor(k / (2 * perKind)); // the file's own fold
    const same = k % (2 * perKind) < perKind;
    if (same ? f.length !== 3 : f.length !== 4) {
      throw new RangeError(`pairs: line ${i + 1} should be a ${same ? 'matched (name n1 n2)' : 'mismatched (name1 n1 name2 n2)'} pair: ${JSON.stringify(lines[i])}`);
    }
    const a = lfwImagePath(f[0]!, f[1]!);
    const b = same ? lfwImagePath(f[0]!, f[2]!) : lfwImagePath(f[2]!, f[3]!);
    // View 1 has no folds: contiguous tenths of each kind.
    const fold = folds > 1 ? block : Math.floor(((k % perKind) * DEFAULT_FOLDS) / perKind);
    pairs.push({ a, b, same, fold });
  }
  return pairs;
}

/**
 * Which LFW view a pairs file is, from its header: View 2 (`pairs.txt`, `10 300`) has folds;
 * View 1 (`pairsDevTrain.txt`, `pairsDevTest.txt`) has a single count.
 */
export function lfwView(text: string): 1 | 2 {
  const header = text.trimStart().split(/\r?\n/, 1)[0]!.trim().split(/\s+/);
  return header.length === 2 ? 2 : 1;
}

/**
 * LFW View 2 offered for a choice (a preprocessing, a setting, calibration faces). View 2 is for
 * reporting a finished model, once; choices are made on View 1 (DevTrain to choose, DevTest to
 * confirm) or on data that is not LFW.
 */
export class View2SelectionError extends RangeError {
  readonly code = 'E_VIEW2_SELECTION';
  constructor(readonly file: string, what: string) {
    super(`${file} is LFW View 2 (pairs.txt), which is for reporting only; ${what} must come from View 1 (pairsDevTrain.txt) or other data`);
  }
}

/**
 * Parses an LFW pairs file that something will be chosen on (`what` says what, for the error);
 * throws a {@link View2SelectionError} for View 2.
 */
export function parseSelectionPairs(text: string, file: string, what: string): Pair[] {
  if (lfwView(text) === 2) throw new View2SelectionError(file, what);
  return parseLfwPairs(text);
}

/**
 * Parses a CSV of `a,b,same` (same = 1 or 0; an optional header row whose third field is not 0 or
 * 1 is skipped). Folds are `folds` contiguous blocks in row order.
 */
export function parsePairsCsv(text: string, folds = DEFAULT_FOLDS): Pair[] {
  const rows = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0 && !l.startsWith('#'));
  const out: { a: string; b: string; same: boolean }[] = [];
  rows.forEach((row, i) => {
    const f = row.split(',').map((s) => s.trim());
    if (f.length !== 3) throw new RangeError(`pairs: row ${i + 1} should be a,b,same: ${JSON.stringify(row)}`);
    if (f[2] !== '0' && f[2] !== '1') {
      if (i === 0) return; // header
      throw new RangeError(`pairs: row ${i + 1}: same must be 0 or 1, got ${JSON.stringify(f[2])}`);
    }
    out.push({ a: f[0]!, b: f[1]!, same: f[2] === '1' });
  });
  if (out.length < folds) throw new RangeError(`pairs: ${out.length} pairs cannot fill ${folds} folds`);
  return out.map((p, i) => ({ ...p, fold: Math.floor((i * folds) / out.length) }));
}

/**
 * At most `limit` pairs, spread over every fold and both kinds so that the cross-validated protocol
 * still runs: the first `limit / (2 * folds)` matched and as many mismatched pairs of each fold (at
 * least one of each). `--limit 600` on View 2 thus keeps 30 + 30 pairs of each of the ten folds.
 */
export function limitPairs(pairs: readonly Pair[], limit: number): Pair[] {
  if (!(limit < pairs.length)) return [...pairs];
  const folds = new Set(pairs.map((p) => p.fold)).size;
  const perKind = Math.max(1, Math.floor(limit / (2 * folds)));
  const taken = new Map<string, number>();
  return pairs.filter((p) => {
    const key = `${p.fold}/${p.same}`;
    const n = taken.get(key) ?? 0;
    taken.set(key, n + 1);
    return n < perKind;
  });
}

/** The distinct image paths of `pairs`, in order of first appearance. */
export function imagesOf(pairs: readonly Pair[]): string[] {
  const seen = new Set<string>();
  for (const p of pairs) seen.add(p.a).add(p.b);
  return [...seen];
}
