/**
 * Mode-3 vectors (§6.7): canonical encode and decode vectors, auto mode with `fast`, and invalid
 * bodies for each check of §6.7.5, their order, and their place after the check byte (§8).
 */

import { encodeGrid, type Profile } from '../../src/codec/index.js';
import { makeRng, sampleGrid, uniformGrid } from '../../src/codec/_testing.js';
import { bytesOf, withCheck, type Expect, type NamedProfile, type VectorSet } from './_tools.js';
import { ALL, encodeLength, extremeGrid, find, probe, zeros } from './payload.js';

type Profiles = ReadonlyMap<string, NamedProfile>;

/** Body length of `g` in forced mode 3, or Infinity past maxBytes. */
const mode3Length = (p: Profile, g: Uint16Array) => encodeLength(p, g, 3);

function validFile(set: VectorSet, P: Profiles): void {
  const f = set.file('payload/mode3.json', 'payload', 'Mode 3, table ANS under the static prior (§6.7): canonical encode and decode vectors, and auto mode with fast (§7).');
  for (const name of [...ALL, 'k4096']) {
    const p = P.get(name)!.profile;
    const rng = makeRng(13000 + p.id);
    // tight's maxBytes leaves B0 = 8 body bytes: a long mode-3 body is E_OVER_BOUND (§7).
    const encode = (g: Uint16Array, what: string) => {
      const over = mode3Length(p, g) === Infinity;
      f.encode(name, g, { mode: 3 }, `${name}: ${what}${over ? ': over maxBytes' : ''}`, over ? '§7' : '§6.7.4', over ? 'E_OVER_BOUND' : 'valid');
    };
    encode(zeros(p), 'every index 0');
    encode(extremeGrid(p, 1, false), "every index its plane's most likely symbol");
    for (let i = 0; i < 4; i++) encode(sampleGrid(p, rng, 1), `grid drawn from the prior ${i + 1}`);
    encode(extremeGrid(p, 1, true), 'every index its least likely symbol (long body)');
  }
  const tiny = P.get('tiny')!.profile, tight = P.get('tight')!.profile, pq = P.get('pq')!.profile;
  for (let s = 0; s < 5; s++) {
    f.encode('tiny', [0, 0, 0, s], { mode: 3 }, `tiny: last index ${s} (the final state is the lowest state of symbol ${s})`, '§6.7.4');
  }
  const trng = makeRng(13100);
  const long = find(() => uniformGrid(tight, trng), (g) => mode3Length(tight, g) === Infinity, 'tight over bound in mode 3');
  f.encode('tight', long, { mode: 3 }, 'tight: forced mode 3 whose payload exceeds maxBytes', '§7', 'E_OVER_BOUND');
  f.encode('tiny', [0, 0, 0, 5], { mode: 3 }, 'tiny: index K = 5 in a grid to encode in mode 3', '§9', 'E_GRID');
  // Auto with fast (§7): mode 3, or mode 0 when the mode-3 body is longer than B0.
  const picks = (p: Profile, g: Uint16Array) => `auto gives mode ${(encodeGrid(g, p, { mode: 'auto', fast: true })[0]! >> 2) & 3}`;
  for (const name of ['tiny', 'pq', 'ctx512', 'mixed']) {
    const p = P.get(name)!.profile;
    const rng = makeRng(13200 + p.id);
    const likely = sampleGrid(p, rng, 1);
    f.encode(name, likely, { mode: 'auto', fast: true }, `${name}: auto, fast, a likely grid: ${picks(p, likely)}`, '§7');
  }
  f.encode('ctx512', sampleGrid(P.get('ctx512')!.profile, makeRng(13300), 1), { mode: 'auto', fast: true, contexts: true }, 'ctx512: auto, fast and contexts: fast first, mode 3', '§7');
  const prng = makeRng(13400);
  const draw = () => (prng.next() < 0.5 ? uniformGrid(pq, prng) : sampleGrid(pq, prng, 1));
  const tie = find(draw, (g) => mode3Length(pq, g) === pq.fixedBodyBytes, 'mode-3 tie');
  f.encode('pq', tie, { mode: 'auto', fast: true }, 'pq: auto, fast, mode-3 body exactly B0 bytes: stays mode 3', '§7');
  const over = find(draw, (g) => mode3Length(pq, g) === pq.fixedBodyBytes + 1, 'mode-3 one over');
  f.encode('pq', over, { mode: 'auto', fast: true }, 'pq: auto, fast, mode-3 body B0 + 1 bytes: mode 0', '§7');
  f.encode('tight', long, { mode: 'auto', fast: true }, 'tight: auto, fast, a long grid falls back to mode 0 at the bound', '§7');
  f.encode('tiny', sampleGrid(tiny, makeRng(13500), 1), { mode: 'auto', fast: true, extensions: { captureTime: 99 } }, 'tiny: auto, fast, with an extension', '§4, §7');
}

function invalidFile(set: VectorSet, P: Profiles): void {
  const f = set.file('payload/invalid-mode3.json', 'payload', 'Invalid mode-3 bodies (§6.7.5, §8 step 7): truncation, trailing bytes, a final state other than the canonical one, padding bits, their order, and the check byte before them.');
  const header = (p: Profile) => [0x1c, (p.id << 4) | p.tag, 0];
  const assemble = (p: Profile, body: ArrayLike<number>) => withCheck(bytesOf(header(p), Array.from(body)), p);
  const seen = new Set(['E_TRUNCATED', 'E_TRAILING', 'E_CHECK']); // the cases below the loop's
  for (const name of ['tiny', 'pq', 'mixed', 'k4096']) {
    const p = P.get(name)!.profile;
    const body = encodeGrid(sampleGrid(p, makeRng(14000 + p.id), 1), p, { mode: 3 }).subarray(3);
    f.decode(name, assemble(p, body), `${name}: a valid body`, '§6.7', 'valid', true);
    for (let cut = 1; cut <= Math.min(3, body.length); cut++) {
      f.decode(name, assemble(p, body.subarray(0, body.length - cut)), `${name}: last ${cut} byte(s) cut, check byte repaired`, '§6.7.5', 'E_TRUNCATED');
    }
    f.decode(name, assemble(p, [...body, 0x00]), `${name}: one trailing 0x00 byte`, '§6.7.5', 'E_TRAILING');
    f.decode(name, assemble(p, [...body, 0xff, 0xff]), `${name}: two trailing 0xFF bytes`, '§6.7.5', 'E_TRAILING');
    const badCheck = assemble(p, [...body, 0x00]);
    badCheck[2] = badCheck[2]! ^ 0x01;
    f.decode(name, badCheck, `${name}: trailing byte and a bad check byte: check first`, '§8', 'E_CHECK');
    // Every single-bit flip of the body: each is another grid's canonical body or fails a check.
    for (let bit = 0; bit < body.length * 8; bit++) {
      const flipped = Array.from(body);
      flipped[bit >> 3] = flipped[bit >> 3]! ^ (0x80 >> (bit & 7));
      const bytes = assemble(p, flipped);
      const outcome = probe(p, bytes);
      if (outcome !== 'valid') f.decode(name, bytes, `${name}: body bit ${bit} flipped: ${outcome}`, '§6.7.5', outcome as Expect);
      seen.add(outcome);
    }
  }
  f.decode('tiny', assemble(P.get('tiny')!.profile, []), 'tiny: empty mode-3 body', '§6.7.5', 'E_TRUNCATED');
  for (const code of ['E_TRUNCATED', 'E_TRAILING', 'E_NONCANONICAL', 'E_PADDING', 'E_CHECK']) {
    if (!seen.has(code)) throw new Error(`invalid-mode3: no case fails with ${code}`);
  }
}

export function mode3Vectors(set: VectorSet, P: Profiles): void {
  validFile(set, P);
  invalidFile(set, P);
}
