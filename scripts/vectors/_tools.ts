/**
 * Tools of the vector generator (scripts/gen-vectors.ts): the vector files being built, case
 * builders that ask the TypeScript codec for the outcome and assert it is the one the case is
 * meant to show, and byte-level helpers for crafting invalid inputs (check byte repair,
 * non-shortest MessagePack).
 */

import {
  decodeBatch,
  decodeGrid,
  encodeGrid,
  isFacevqError,
  readProfile,
  ProfileSet,
  type Extensions,
  type Profile,
} from '../../src/codec/index.js';
import { crc8Begin, payloadCheck } from '../../src/codec/_crc8.js';
import { MsgFloat } from '../../src/codec/_msgpack.js';
import { extensionsToJson, toHex } from '../../src/conformance/protocol.js';
import type { PayloadInput, VectorCase, VectorFile, VectorKind } from '../../src/conformance/vectors.js';

/** A named test profile: its file (written to spec/vectors/profiles/<name>.fvqp) and parsed form. */
export interface NamedProfile {
  name: string;
  bytes: Uint8Array;
  profile: Profile;
}

/** The vector files under construction, keyed by path relative to spec/vectors. */
export class VectorSet {
  readonly files = new Map<string, VectorFile>();

  constructor(private readonly profiles: ReadonlyMap<string, NamedProfile>, private readonly comment: string) {}

  /** Starts (or continues) the file `rel`, e.g. `payload/mode1.json`. */
  file(rel: string, kind: VectorKind, about: string): CaseWriter {
    let f = this.files.get(rel);
    if (f === undefined) {
      f = { _comment: `${about} ${this.comment}`, kind, profiles: {}, cases: [] };
      this.files.set(rel, f);
    }
    return new CaseWriter(f, this.profiles);
  }

  get caseCount(): number {
    let n = 0;
    for (const f of this.files.values()) n += f.cases.length;
    return n;
  }
}

/** What a case is meant to show: a valid result, a given error code, or (`'any'`) whatever comes. */
export type Expect = 'valid' | 'any' | `E_${string}`;

export interface EncodeOptions {
  mode: 0 | 1 | 2 | 3 | 'auto';
  contexts?: boolean;
  fast?: boolean;
  extensions?: Extensions;
}

function codeOf(e: unknown): string {
  if (isFacevqError(e)) return e.code;
  throw e;
}

/** Adds cases to one vector file; every builder runs the codec and checks the outcome first. */
export class CaseWriter {
  constructor(private readonly f: VectorFile, private readonly profiles: ReadonlyMap<string, NamedProfile>) {}

  private use(name: string): Profile {
    const p = this.profiles.get(name);
    if (p === undefined) throw new Error(`unknown profile ${name}`);
    this.f.profiles[name] = `profiles/${name}.fvqp`;
    return p.profile;
  }

  private check(what: string, expect: Expect, got: string): void {
    if (expect !== 'any' && expect !== got) throw new Error(`vector "${what}": expected ${expect}, the codec gives ${got}`);
  }

  /**
   * An encode case: `grid` under `name` with `opts`. Valid: a canonical encode vector (and a
   * decode vector, roundtrip). Failing: an encoder-only invalid case. Returns the payload, if any.
   */
  encode(name: string, grid: ArrayLike<number>, opts: EncodeOptions, description: string, spec: string, expect: Expect = 'valid'): Uint8Array | null {
    const profile = this.use(name);
    const input: PayloadInput = { grid: Array.from(grid), mode: opts.mode };
    if (opts.contexts !== undefined) input.contexts = opts.contexts;
    if (opts.fast !== undefined) input.fast = opts.fast;
    if (opts.extensions !== undefined) input.extensions = extensionsToJson(opts.extensions);
    let bytes: Uint8Array;
    try {
      bytes = encodeGrid(grid, profile, {
        mode: opts.mode,
        ...(opts.contexts !== undefined && { contexts: opts.contexts }),
        ...(opts.fast !== undefined && { fast: opts.fast }),
        ...(opts.extensions && { extensions: opts.extensions }),
      });
    } catch (e) {
      const code = codeOf(e);
      this.check(description, expect, code);
      this.f.cases.push({ description, spec, profile: name, input, valid: false, error: code, roundtrip: false });
      return null;
    }
    this.check(description, expect, 'valid');
    this.f.cases.push({ description, spec, profile: name, input, hex: toHex(bytes), valid: true, roundtrip: true });
    return bytes;
  }

  /**
   * A decode case: `bytes` decoded by a decoder holding `names`. A valid result is a decode-only
   * vector unless `roundtrip` (then encoding the decoded grid MUST give `bytes` back, §7). With
   * expect `'any'`, a valid result is left out (a mutation that happens to be valid shows
   * nothing). Returns the code or 'valid'.
   */
  decode(names: string | string[], bytes: Uint8Array, description: string, spec: string, expect: Expect, roundtrip = false): string {
    const list = typeof names === 'string' ? [names] : names;
    const held = list.map((n) => this.use(n));
    let code: string;
    let c: VectorCase;
    try {
      const d = decodeGrid(bytes, typeof names === 'string' ? held[0]! : new ProfileSet(held));
      code = 'valid';
      const ext = extensionsToJson(d.extensions);
      const input: PayloadInput = { grid: Array.from(d.grid), mode: d.mode };
      if (Object.keys(ext).length > 0) input.extensions = ext;
      c = { description, spec, profile: names, input, hex: toHex(bytes), valid: true, roundtrip: roundtrip && typeof names === 'string' };
    } catch (e) {
      code = codeOf(e);
      c = { description, spec, profile: names, hex: toHex(bytes), valid: false, error: code, roundtrip: false };
    }
    this.check(description, expect, code);
    if (!(expect === 'any' && code === 'valid')) this.f.cases.push(c);
    return code;
  }

  /** A profile-file case. */
  profile(bytes: Uint8Array, description: string, spec: string, expect: Expect): void {
    try {
      const p = readProfile(bytes);
      this.check(description, expect, 'valid');
      this.f.cases.push({ description, spec, hex: toHex(bytes), valid: true, roundtrip: false, result: { id: p.id, name: p.name, sha256: toHex(p.sha256) } });
    } catch (e) {
      const code = codeOf(e);
      this.check(description, expect, code);
      this.f.cases.push({ description, spec, hex: toHex(bytes), valid: false, error: code, roundtrip: false });
    }
  }

  /** A batch case: the envelope, then (when it is valid) each item decoded on its own (§11). */
  batch(names: string | string[], bytes: Uint8Array, description: string, spec: string, expect: Expect): void {
    const list = typeof names === 'string' ? [names] : names;
    const held = list.map((n) => this.use(n));
    const set = typeof names === 'string' ? held[0]! : new ProfileSet(held);
    try {
      const items = decodeBatch(bytes).map((item) => {
        try {
          const d = decodeGrid(item.payload, set);
          const ext = extensionsToJson(d.extensions);
          return { id: item.id, valid: true as const, mode: d.mode, grid: Array.from(d.grid), ...(Object.keys(ext).length > 0 && { extensions: ext }) };
        } catch (e) {
          return { id: item.id, valid: false as const, error: codeOf(e) };
        }
      });
      this.check(description, expect, 'valid');
      this.f.cases.push({ description, spec, profile: names, hex: toHex(bytes), valid: true, roundtrip: false, result: { items } });
    } catch (e) {
      const code = codeOf(e);
      this.check(description, expect, code);
      this.f.cases.push({ description, spec, profile: names, hex: toHex(bytes), valid: false, error: code, roundtrip: false });
    }
  }
}

/** A copy of `payload` with its check byte (§3) recomputed for `profile`. */
export function withCheck(payload: Uint8Array, profile: Profile): Uint8Array {
  const out = payload.slice();
  if (out.length >= 3) out[2] = payloadCheck(crc8Begin(profile.sha256), out);
  return out;
}

/** Concatenates byte strings and numbers (single bytes). */
export function bytesOf(...parts: (Uint8Array | number | readonly number[])[]): Uint8Array {
  const flat: number[] = [];
  for (const p of parts) {
    if (typeof p === 'number') flat.push(p);
    else flat.push(...p);
  }
  return Uint8Array.from(flat);
}

/** MessagePack-compatible values for {@link writeWide}. */
export type WideValue = null | boolean | number | string | Uint8Array | WideFloat | MsgFloat | WideValue[] | { [key: string]: WideValue };

/** A number the wide writer emits as a float (32 or 64 bits). */
export class WideFloat {
  constructor(readonly value: number, readonly bits: 32 | 64 = 64) {}
}

/**
 * MessagePack in the longest form of every type (uint 64 / int 64, str 32, bin 32, array 32,
 * map 32): valid, never shortest. Readers MUST accept it (§10.2).
 */
export function writeWide(value: WideValue): Uint8Array {
  const out: number[] = [];
  const u32 = (n: number) => out.push((n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255);
  const put = (v: WideValue): void => {
    if (v === null) out.push(0xc0);
    else if (typeof v === 'boolean') out.push(v ? 0xc3 : 0xc2);
    else if (v instanceof WideFloat) {
      const b = new Uint8Array(v.bits / 8);
      const view = new DataView(b.buffer);
      if (v.bits === 32) view.setFloat32(0, v.value);
      else view.setFloat64(0, v.value);
      out.push(v.bits === 32 ? 0xca : 0xcb, ...b);
    } else if (v instanceof MsgFloat || (typeof v === 'number' && !Number.isSafeInteger(v))) {
      put(new WideFloat(typeof v === 'number' ? v : v.value)); // a float read back from a profile stays a float
    } else if (typeof v === 'number') {
      const b = new Uint8Array(8);
      new DataView(b.buffer).setBigInt64(0, BigInt(v));
      out.push(v >= 0 ? 0xcf : 0xd3, ...b);
    } else if (typeof v === 'string') {
      const b = new TextEncoder().encode(v);
      out.push(0xdb);
      u32(b.length);
      out.push(...b);
    } else if (v instanceof Uint8Array) {
      out.push(0xc6);
      u32(v.length);
      for (const x of v) out.push(x);
    } else if (Array.isArray(v)) {
      out.push(0xdd);
      u32(v.length);
      v.forEach(put);
    } else {
      const keys = Object.keys(v);
      out.push(0xdf);
      u32(keys.length);
      for (const k of keys) {
        put(k);
        put(v[k]!);
      }
    }
  };
  put(value);
  return Uint8Array.from(out);
}

/** Replaces the first occurrence of `find` in `bytes` by `replace` (for splicing raw MessagePack). */
export function splice(bytes: Uint8Array, find: Uint8Array, replace: Uint8Array): Uint8Array {
  outer: for (let i = 0; i + find.length <= bytes.length; i++) {
    for (let j = 0; j < find.length; j++) if (bytes[i + j] !== find[j]) continue outer;
    return bytesOf(bytes.subarray(0, i), replace, bytes.subarray(i + find.length));
  }
  throw new Error('splice: pattern not found');
}
