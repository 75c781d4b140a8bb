/**
 * `npm run bench:codec [-- --profile FILE | --synthetic] [--grids 10000 --seconds 1 --json --strict]`
 *
 * Sizes and speeds of the payload codec on grids drawn from a profile's prior (spec §6.1): by
 * default the shipped profile `models/m.fvqp`, or another with `--profile`, or with `--synthetic`
 * an 8x8 grid with K = 512 and a Zipf-like prior (s = 1.1). Side by side: modes 0, 1, 2 (when the profile has contexts), 3 (table ANS, §6.7) and auto
 * (§7), raw fixed-width packing, gzip and brotli (node:zlib, maximum quality) of the packed
 * bytes, and the ideal bound (sum of -log2 p over the indices, plus the 3 header bytes).
 *
 * The default profile's context tables copy its prior (mode 2 then shows speed, not gain).
 * Rates are payloads per second of CPU time on one core (the process's user + system time), so a
 * busy machine slows them less than wall-clock rates; wall-clock rates are printed alongside.
 * Grids drawn from the prior cannot show what contexts gain: judge mode 2 on real grids.
 *
 * Decoding is timed twice on the auto payloads: `decodeGrid`, which returns a new grid per payload,
 * and `decodeGridInto`, which writes each grid into one array the caller reuses; brotli's decode
 * returns a new buffer per payload. The 10x ratio is the median over rounds that time
 * `decodeGridInto` and brotli back to back: on a shared machine brotli's rate alone moved 2x
 * between runs minutes apart, so rates measured seconds apart do not make a ratio.
 *
 * Auto with `fast` (mode 3, or mode 0 where mode 3 would be longer, §7) gets its own rounds
 * against brotli, the same way, and its own targets: the `mode3*` fields of `--json` are these
 * payloads (every grid; the forced mode-3 row leaves out grids over maxBytes).
 *
 * Targets: mean coded size within 1% + 2 bytes of ideal; decode >= 500,000 payloads/s; decode
 * (`decodeGridInto`) >= 10x brotli's decode rate on the same grids; each for auto and for mode 3.
 * `--strict` exits 1 when one is missed.
 */
import { readFileSync } from 'node:fs';
import { brotliCompressSync, brotliDecompressSync, constants, gzipSync, gunzipSync } from 'node:zlib';
import { decodeGrid, decodeGridInto, encodeGrid, idealBits, readProfile, writeProfile, type Mode, type Profile } from '../src/codec/index.js';
import { makeRng, makeTestProfile, sampleGrid } from '../src/codec/_testing.js';

const SHIPPED_PROFILE = 'models/m.fvqp';
/** Rounds of the decodeGridInto / brotli comparison. */
const ROUNDS = 15;

interface Args {
  profile?: string;
  synthetic: boolean;
  grids: number;
  seconds: number;
  json: boolean;
  strict: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { grids: 10_000, seconds: 1, json: false, strict: false, synthetic: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--json') args.json = true;
    else if (a === '--strict') args.strict = true;
    else if (a === '--profile') args.profile = argv[++i];
    else if (a === '--synthetic') args.synthetic = true;
    else if (a === '--grids') args.grids = Number(argv[++i]);
    else if (a === '--seconds') args.seconds = Number(argv[++i]);
    else throw new Error(`unknown option ${a} (use --profile FILE, --synthetic, --grids N, --seconds S, --json, --strict)`);
  }
  return args;
}

/** Rate of `fn` over `items`, per second of CPU time and of wall time, after a warm-up pass. */
function rate<T>(items: readonly T[], fn: (item: T) => unknown, seconds: number): { cpu: number; wall: number; count: number } {
  for (const item of items) fn(item);
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  let n = 0;
  let cpuSeconds = 0;
  do {
    for (const item of items) fn(item);
    n += items.length;
    const c = process.cpuUsage(cpu0);
    cpuSeconds = (c.user + c.system) / 1e6;
  } while (cpuSeconds < seconds);
  return { cpu: n / cpuSeconds, wall: n / ((performance.now() - wall0) / 1000), count: n };
}

/**
 * Rates of `fa` over `a` and `fb` over `b` in {@link ROUNDS} alternating rounds of `seconds / 2 /
 * ROUNDS` each, so both see the same machine: each rate over all its rounds, and the median of the
 * rounds' ratios a / b.
 */
function compare<A, B>(a: readonly A[], fa: (x: A) => unknown, b: readonly B[], fb: (x: B) => unknown, seconds: number) {
  const ratios: number[] = [];
  let na = 0, ta = 0, nb = 0, tb = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const ra = rate(a, fa, seconds / 2 / ROUNDS), rb = rate(b, fb, seconds / 2 / ROUNDS);
    ratios.push(ra.cpu / rb.cpu);
    na += ra.count; ta += ra.count / ra.cpu; nb += rb.count; tb += rb.count / rb.cpu;
  }
  ratios.sort((x, y) => x - y);
  return { aPerSec: na / ta, bPerSec: nb / tb, ratio: ratios[ROUNDS >> 1]! };
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

interface Row {
  name: string;
  bytesMean: number;
  encodePerSec?: number;
  decodePerSec?: number;
  decodePerSecWall?: number;
}

/**
 * 8x8, K = 512, Zipf prior (s = 1.1). Its 64 context tables are copies of the prior, so mode 2
 * codes to the same size as mode 1 and its row shows the cost of one table per index.
 */
function syntheticProfile(): Profile {
  const { input } = makeTestProfile({ id: 1, name: 'synthetic-8x8-k512', h: 8, w: 8, k: 512, dim: 8, seed: 1, zipf: 1.1, maxBytes: 1024 });
  const n = 64;
  const context = { tables: new Array(n).fill(input.prior[0]!), plane: new Uint8Array(n), map: Array.from({ length: n }, (_, i) => i) };
  return readProfile(writeProfile({ ...input, context }));
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  if (args.synthetic && args.profile) throw new Error('use --profile FILE or --synthetic, not both');
  const source = args.synthetic ? 'synthetic' : args.profile ?? SHIPPED_PROFILE;
  const profile: Profile = args.synthetic ? syntheticProfile() : readProfile(new Uint8Array(readFileSync(source)));
  const rng = makeRng(2024);
  const grids = Array.from({ length: args.grids }, () => sampleGrid(profile, rng));
  const rows: Row[] = [];
  const perMode: Record<string, Row> = {};

  const idealBytes = grids.map((g) => idealBits(g, profile) / 8 + 3);
  rows.push({ name: 'ideal (prior, + 3 header bytes)', bytesMean: mean(idealBytes) });

  // 'fast' is auto with `fast: true` (§7): mode 3, else mode 0; it codes every grid, where forced
  // mode 3 leaves out those over maxBytes.
  const modes: ('auto' | 'fast' | Mode)[] = ['auto', 'fast', 0, 1, ...(profile.context ? [2 as const] : []), 3];
  const payloads: Record<string, Uint8Array[]> = {};
  for (const mode of modes) {
    const options = mode === 'fast' ? { fast: true } : { mode };
    const encoded: Uint8Array[] = [];
    for (const g of grids) {
      try {
        encoded.push(encodeGrid(g, profile, options));
      } catch {
        // A forced mode over maxBytes: not counted (auto never fails on a bare grid, §7).
      }
    }
    const enc = rate(grids, (g) => { try { encodeGrid(g, profile, options); } catch { /* as above */ } }, args.seconds);
    const dec = rate(encoded, (p) => decodeGrid(p, profile), args.seconds);
    const row: Row = {
      name: mode === 'auto' ? 'facevq auto (mode 1, else 0)' : mode === 'fast' ? 'facevq auto fast (mode 3, else 0)' : `facevq mode ${mode}`,
      bytesMean: mean(encoded.map((p) => p.length)),
      encodePerSec: enc.cpu,
      decodePerSec: dec.cpu,
      decodePerSecWall: dec.wall,
    };
    if (encoded.length < grids.length) row.name += ` (${grids.length - encoded.length} over maxBytes)`;
    perMode[String(mode)] = row;
    rows.push(row);
    payloads[String(mode)] = encoded;
  }

  const packed = grids.map((g) => encodeGrid(g, profile, { mode: 0 }).subarray(3));
  rows.push({ name: 'raw fixed-width packing', bytesMean: profile.fixedBodyBytes });
  const gz = packed.map((p) => gzipSync(p, { level: 9 }));
  const gzDec = rate(gz, (b) => gunzipSync(b), args.seconds);
  rows.push({ name: 'gzip -9 of packed', bytesMean: mean(gz.map((b) => b.length)), decodePerSec: gzDec.cpu, decodePerSecWall: gzDec.wall });
  const brotliOpts = { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_LGWIN]: 10 } };
  const br = packed.map((p) => brotliCompressSync(p, brotliOpts));
  // Brotli and decodeGridInto are timed together, in alternating rounds (see the header).
  const into = new Uint16Array(profile.gridLength);
  const brotliDecode = (b: Uint8Array) => brotliDecompressSync(b);
  const vsBrotli = compare(payloads.auto!, (p) => decodeGridInto(p, profile, into), br, brotliDecode, 2 * args.seconds);
  const mode3VsBrotli = compare(payloads.fast!, (p) => decodeGridInto(p, profile, into), br, brotliDecode, 2 * args.seconds);
  rows.push({ name: 'brotli q11 of packed (rounds)', bytesMean: mean(br.map((b) => b.length)), decodePerSec: vsBrotli.bPerSec });
  rows.push({ name: 'facevq auto, decodeGridInto (rounds)', bytesMean: perMode.auto!.bytesMean, decodePerSec: vsBrotli.aPerSec });
  rows.push({ name: 'facevq auto fast, decodeGridInto (rounds)', bytesMean: perMode.fast!.bytesMean, decodePerSec: mode3VsBrotli.aPerSec });

  const auto = perMode.auto!, mode3 = perMode.fast!;
  const coded = auto.bytesMean, ideal = mean(idealBytes);
  /** The three targets for one way of coding. */
  const targetsOf = (label: string, row: Row, ratio: number) => [
    { name: `${label}coded within 1% + 2 bytes of ideal`, pass: row.bytesMean <= ideal * 1.01 + 2, detail: `${row.bytesMean.toFixed(2)} <= ${(ideal * 1.01 + 2).toFixed(2)}` },
    { name: `${label}decode >= 500,000 payloads/s (one core)`, pass: row.decodePerSec! >= 500_000, detail: `${Math.round(row.decodePerSec!)}/s` },
    { name: `${label}decode >= 10x brotli decode`, pass: ratio >= 10, detail: `decodeGridInto ${ratio.toFixed(2)}x (median of ${ROUNDS} back-to-back rounds)` },
  ];
  const targets = [...targetsOf('', auto, vsBrotli.ratio), ...targetsOf('auto fast (mode 3): ', mode3, mode3VsBrotli.ratio)];

  const result = {
    profile: { name: profile.name, id: profile.id, h: profile.h, w: profile.w, k: profile.planes.map((p) => p.k), contexts: profile.context !== undefined, source },
    grids: grids.length,
    codedBytesMean: coded,
    idealBytesMean: ideal,
    rawBytesMean: profile.fixedBodyBytes,
    gzipBytesMean: mean(gz.map((b) => b.length)),
    brotliBytesMean: mean(br.map((b) => b.length)),
    encodePerSec: auto.encodePerSec!,
    decodePerSec: auto.decodePerSec!,
    decodePerSecWall: auto.decodePerSecWall!,
    decodeIntoPerSec: vsBrotli.aPerSec,
    gzipDecodePerSec: gzDec.cpu,
    brotliDecodePerSec: vsBrotli.bPerSec,
    decodeVsBrotli: auto.decodePerSec! / vsBrotli.bPerSec,
    decodeIntoVsBrotli: vsBrotli.ratio,
    codedOverIdeal: coded / ideal,
    mode3BytesMean: mode3.bytesMean,
    mode3EncodePerSec: mode3.encodePerSec!,
    mode3DecodePerSec: mode3.decodePerSec!,
    mode3DecodeIntoPerSec: mode3VsBrotli.aPerSec,
    mode3RatioVsBrotli: mode3VsBrotli.ratio,
    mode3OverIdeal: mode3.bytesMean / ideal,
    modes: Object.fromEntries(Object.entries(perMode).map(([k, r]) => [k, { bytesMean: r.bytesMean, encodePerSec: r.encodePerSec, decodePerSec: r.decodePerSec }])),
    targets: Object.fromEntries(targets.map((t) => [t.name, t.pass])),
  };

  // With --json the table goes to stderr, so stdout holds only the JSON (bench/all.ts reads it).
  const log = (line: string) => (args.json ? process.stderr : process.stdout).write(`${line}\n`);
  const k = profile.planes.map((p) => p.k).join('+');
  log(`profile ${profile.name} (${source}): ${profile.h}x${profile.w}, K=${k}, ${grids.length} grids drawn from the prior`);
  log(`${'codec'.padEnd(44)} ${'bytes'.padStart(8)} ${'encode/s'.padStart(11)} ${'decode/s'.padStart(11)} ${'(wall)'.padStart(11)}`);
  const fmt = (x?: number) => (x === undefined ? '' : Math.round(x).toLocaleString('en-US'));
  for (const r of rows) {
    log(`${r.name.padEnd(44)} ${r.bytesMean.toFixed(2).padStart(8)} ${fmt(r.encodePerSec).padStart(11)} ${fmt(r.decodePerSec).padStart(11)} ${fmt(r.decodePerSecWall).padStart(11)}`);
  }
  log(`coded / ideal: ${(coded / ideal).toFixed(4)} (+${(coded - ideal).toFixed(2)} bytes); decodeGridInto vs brotli decode: ${vsBrotli.ratio.toFixed(2)}x (rounds); decodeGrid vs gzip: ${(auto.decodePerSec! / gzDec.cpu).toFixed(1)}x`);
  log(`auto fast (mode 3): coded / ideal ${(mode3.bytesMean / ideal).toFixed(4)} (+${(mode3.bytesMean - ideal).toFixed(2)} bytes); decodeGridInto vs brotli decode: ${mode3VsBrotli.ratio.toFixed(2)}x (rounds)`);
  for (const t of targets) log(`${t.pass ? 'PASS' : 'FAIL'}  ${t.name}: ${t.detail}`);
  if (args.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  if (args.strict && targets.some((t) => !t.pass)) process.exitCode = 1;
}

main();
