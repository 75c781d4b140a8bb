/**
 * `npm run fuzz [-- --n 1000000 --seed 1 --from 0 --timeout-ms 10000]`: a bounded mutation fuzzer
 * for `decodeGrid` (spec §8).
 *
 * Valid payloads of several synthetic profiles (every mode, odd codebook sizes, several planes,
 * contexts, extensions) are mutated: bit flips, byte writes, inserts, deletes, truncation,
 * appended bytes, splices, header rewrites; half the time the check byte is recomputed so the
 * mutation reaches the body checks. Input `i` is a pure function of `(seed, i)`, so any input can
 * be replayed with `--from i --n 1`.
 *
 * Decoding runs in a worker thread; the main thread fails the run if the worker goes quiet for
 * `--timeout-ms` (a hang). The run fails (exit 1) on any exception that is not a FacevqError, on a
 * hang, or when a decoded grid re-encodes (same profile, mode and extensions) to other bytes,
 * which would break canonical encoding (§7). It prints counts per error code and the rate.
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { decodeGrid, encodeGrid, FacevqError, ProfileSet, type Profile } from '../src/codec/index.js';
import { makeRng, makeTestProfile, sampleGrid, uniformGrid } from '../src/codec/_testing.js';
import { crc8Begin, payloadCheck } from '../src/codec/_crc8.js';

interface Options {
  n: number;
  seed: number;
  from: number;
  timeoutMs: number;
}

type Message =
  | { kind: 'ready'; seeds: number }
  | { kind: 'progress'; done: number; counts: Record<string, number> }
  | { kind: 'failure'; index: number; hex: string; problem: string }
  | { kind: 'done'; done: number; counts: Record<string, number> };

const PROGRESS_EVERY = 10_000;
/** Loading the worker (TypeScript, the corpus) is not fuzzing: it gets its own, generous limit. */
const STARTUP_MS = 120_000;

// ---------------------------------------------------------------------------------------------
// Worker: the corpus, the mutator and the checks.

function corpus(): { set: ProfileSet; seeds: Uint8Array[] } {
  const profiles: Profile[] = [
    makeTestProfile({ id: 0, h: 8, w: 8, k: 512, dim: 2, seed: 1, context: true, maxBytes: 1024 }).profile,
    makeTestProfile({ id: 1, h: 2, w: 2, k: 5, dim: 1, seed: 2, maxBytes: 64 }).profile,
    makeTestProfile({ id: 2, h: 3, w: 2, k: [16, 7, 300], dim: 1, seed: 3, context: true, maxBytes: 1024 }).profile,
    makeTestProfile({ id: 7, h: 1, w: 1, k: 4096, dim: 1, seed: 4, context: true, maxBytes: 64 }).profile,
    makeTestProfile({ id: 15, h: 4, w: 4, k: 2, dim: 1, seed: 5, context: true, maxBytes: 64 }).profile,
  ];
  const rng = makeRng(12345);
  const seeds: Uint8Array[] = [];
  for (const p of profiles) {
    for (let i = 0; i < 50; i++) {
      const mode = ([0, 1, 2, 3, 'auto'] as const)[i % 5]!;
      const m = mode === 2 && !p.context ? 1 : mode;
      const grid = i % 5 === 4 ? uniformGrid(p, rng) : sampleGrid(p, rng, m === 2 ? 2 : 1);
      const extensions =
        i % 3 === 0
          ? undefined
          : {
              ...(i % 2 === 0 && { captureTime: rng.int(2 ** 32) }),
              ...(i % 3 === 1 && { nonce: Uint8Array.of(1, 2, 3, i) }),
              ...(i % 7 === 2 && { keyId: Uint8Array.of(i) }),
              ...(i % 4 === 1 && { authTag: new Uint8Array(8).fill(i) }),
              ...(i % 5 === 3 && { unknown: [{ type: 0x05 + (i % 100), value: Uint8Array.of(i) }] }),
            };
      try {
        seeds.push(encodeGrid(grid, p, { mode: m, ...(extensions && { extensions }) }));
      } catch (e) {
        if (!(e instanceof FacevqError && e.code === 'E_OVER_BOUND')) throw e;
      }
    }
  }
  return { set: new ProfileSet(profiles), seeds };
}

/** xorshift32 seeded from (seed, i): input i can be rebuilt on its own. */
function inputRng(seed: number, i: number): () => number {
  let x = (Math.imul(seed, 0x9e3779b1) ^ Math.imul(i + 1, 0x85ebca6b)) >>> 0 || 1;
  for (let k = 0; k < 4; k++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x = (x ^ (x << 5)) >>> 0;
  }
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>>= 0);
  };
}

function mutate(seeds: Uint8Array[], set: ProfileSet, seed: number, i: number): Uint8Array {
  const r = inputRng(seed, i);
  const src = seeds[r() % seeds.length]!;
  let b = Array.from(src);
  const edits = 1 + (r() % 4);
  for (let e = 0; e < edits; e++) {
    const at = b.length > 0 ? r() % b.length : 0;
    switch (r() % 10) {
      case 0: case 1: if (b.length) b[at] = b[at]! ^ (1 << (r() % 8)); break; // bit flip
      case 2: if (b.length) b[at] = r() & 255; break; // byte write
      case 3: b.splice(at, 0, r() & 255); break; // insert
      case 4: b.splice(at, 1); break; // delete
      case 5: b.length = r() % (b.length + 1); break; // truncate
      case 6: // append a few bytes, rarely enough to pass the 1024-byte cap
        for (let k = r() % 512 === 0 ? 1024 : 1 + (r() % 4); k > 0; k--) b.push(r() % 3 === 0 ? 0 : r() & 255);
        break;
      case 7: { // splice with another seed
        const other = seeds[r() % seeds.length]!;
        const cut = r() % (other.length + 1);
        b = b.slice(0, at).concat(Array.from(other.subarray(cut)));
        break;
      }
      case 8: if (b.length > 1) b[r() % 2] = r() & 255; break; // header byte 0 or 1
      default: if (b.length > 3) b[3] = r() & 255; // extension length or first body byte
    }
  }
  const out = Uint8Array.from(b);
  // Half the time, make the check byte right so the mutation reaches the body checks (§8 step 7).
  if (r() & 1 && out.length >= 3) {
    const p = set.get(out[1]! >> 4);
    if (p) out[2] = payloadCheck(crc8Begin(p.sha256), out);
  }
  return out;
}

function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

function runWorker(opts: Options): void {
  const port = parentPort!;
  const { set, seeds } = corpus();
  port.postMessage({ kind: 'ready', seeds: seeds.length } satisfies Message);
  const counts: Record<string, number> = {};
  const end = opts.from + opts.n;
  for (let i = opts.from; i < end; i++) {
    const input = mutate(seeds, set, opts.seed, i);
    let outcome = 'ok';
    try {
      const d = decodeGrid(input, set);
      const again = encodeGrid(d.grid, d.profile, { mode: d.mode, extensions: d.extensions });
      if (hex(again) !== hex(input)) {
        port.postMessage({ kind: 'failure', index: i, hex: hex(input), problem: `re-encodes to ${hex(again)}` } satisfies Message);
        return;
      }
    } catch (e) {
      if (!(e instanceof FacevqError)) {
        port.postMessage({ kind: 'failure', index: i, hex: hex(input), problem: `untyped exception: ${(e as Error)?.stack ?? String(e)}` } satisfies Message);
        return;
      }
      outcome = e.code;
    }
    counts[outcome] = (counts[outcome] ?? 0) + 1;
    if ((i - opts.from + 1) % PROGRESS_EVERY === 0) port.postMessage({ kind: 'progress', done: i - opts.from + 1, counts } satisfies Message);
  }
  port.postMessage({ kind: 'done', done: opts.n, counts } satisfies Message);
}

// ---------------------------------------------------------------------------------------------
// Main thread: the watchdog and the report.

function parseOptions(argv: string[]): Options {
  const opts: Options = { n: 1_000_000, seed: 1, from: 0, timeoutMs: 10_000 };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = Number(argv[++i]);
    if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${flag}: expected a non-negative integer`);
    if (flag === '--n') opts.n = value;
    else if (flag === '--seed') opts.seed = value;
    else if (flag === '--from') opts.from = value;
    else if (flag === '--timeout-ms') opts.timeoutMs = value;
    else throw new Error(`unknown option ${flag} (use --n, --seed, --from, --timeout-ms)`);
  }
  return opts;
}

function report(counts: Record<string, number>, done: number, seconds: number): void {
  const rows = Object.entries(counts).sort((a, b) => b[1] - a[1]);
  for (const [code, n] of rows) console.log(`  ${code.padEnd(18)} ${String(n).padStart(9)}  ${((100 * n) / Math.max(done, 1)).toFixed(2).padStart(6)}%`);
  console.log(`${done} inputs in ${seconds.toFixed(1)} s (${Math.round(done / seconds)} inputs/s)`);
}

function main(): void {
  const opts = parseOptions(process.argv.slice(2));
  console.log(`fuzz: ${opts.n} inputs from ${opts.from}, seed ${opts.seed}, hang timeout ${opts.timeoutMs} ms`);
  const started = performance.now();
  // The worker runs this file too. Node 20 does not pass tsx's loader to workers, so a small
  // bootstrap registers it before importing this file.
  const bootstrap = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(import.meta.url)}); })`;
  const worker = new Worker(bootstrap, { eval: true, workerData: opts });
  let done = 0;
  let counts: Record<string, number> = {};
  let finished = false;
  const finish = (status: number) => {
    finished = true;
    clearTimeout(watchdog);
    report(counts, done, (performance.now() - started) / 1000);
    void worker.terminate().then(() => process.exit(status));
  };
  const onHang = () => {
    console.error(`FAIL: no progress for ${opts.timeoutMs} ms: a hang in inputs ${opts.from + done}..${opts.from + done + PROGRESS_EVERY - 1}`);
    console.error(`replay: npm run fuzz -- --seed ${opts.seed} --from ${opts.from + done} --n ${PROGRESS_EVERY}`);
    finish(1);
  };
  let watchdog = setTimeout(() => {
    console.error(`FAIL: the worker did not start within ${STARTUP_MS} ms`);
    finish(1);
  }, STARTUP_MS);
  worker.on('message', (m: Message) => {
    clearTimeout(watchdog);
    watchdog = setTimeout(onHang, opts.timeoutMs);
    if (m.kind === 'ready') {
      console.log(`corpus: ${m.seeds} valid payloads`);
      return;
    }
    if (m.kind === 'failure') {
      console.error(`FAIL at input ${m.index}: ${m.problem}\n  input: ${m.hex}`);
      console.error(`replay: npm run fuzz -- --seed ${opts.seed} --from ${m.index} --n 1`);
      finish(1);
      return;
    }
    done = m.done;
    counts = m.counts;
    if (m.kind === 'done') {
      console.log('PASS: every input gave a FacevqError or a grid that re-encodes to the same bytes');
      finish(0);
    }
  });
  worker.on('error', (e) => {
    if (finished) return;
    console.error(`FAIL: the worker died: ${e.stack ?? e}`);
    finish(1);
  });
}

if (isMainThread) main();
else runWorker(workerData as Options);
