/**
 * Payloads (§2): encode a grid, decode bytes with the checks of §8 in order, ideal sizes, and an
 * inspection view for `facevq inspect`.
 *
 * ```
 * byte 0   VVVVMMXR  version (0001), mode, extensions present, reserved (0)   §2.1
 * byte 1   IIIITTTT  profile id, profile tag (sha256[0] >> 4)                  §2.2
 * byte 2   CCCCCCCC  CRC-8/AUTOSAR over sha256(profile), bytes 0, 1, 3..end    §3
 * [extension block, §4] then the body (§5 mode 0, §6 modes 1 and 2, §6.7 mode 3)
 * ```
 */

import { fail } from './errors.js';
import { payloadCheck } from './_crc8.js';
import { packFixed, unpackFixed } from './_bits.js';
import { rangeCosts, rangeDecode, rangeEncode, maxRangeBody } from './_range.js';
import { MAX_TABLE_LOG, maxTansBody, tansCosts, tansDecode, tansEncode } from './_tans.js';
import { codingOf, tansOf, type Coding } from './_coding.js';
import { LIMITS, type Profile } from './profile.js';
import type { ProfileSet } from './profile-set.js';
import { NO_EXTENSIONS, readExtensions, writeExtensions, type Extensions } from './extensions.js';

export type { Extensions } from './extensions.js';

const VERSION = 1; // VVVV = 0001, §2.1
const HEADER_BYTES = 3;

/** A coding mode (§2.1): 0 fixed width, 1 static prior, 2 context prior, 3 table ANS under the static prior. */
export type Mode = 0 | 1 | 2 | 3;

/** Options of {@link encodeGrid}. */
export interface EncodeOptions {
  /**
   * `'auto'` (§7): the entropy-coded mode (1, or 2 or 3 as the options below ask), or mode 0 when
   * its body would be longer than `B0`. A number forces that mode.
   * @default 'auto'
   */
  mode?: 'auto' | Mode;
  /** In auto mode, use the context prior (mode 2) when the profile has one. @default false */
  contexts?: boolean;
  /**
   * In auto mode, code in mode 3 (table ANS, §6.7), which decodes about 1.6x faster than mode 1
   * and costs about half a byte more (measured on the m profile, `npm run bench:codec`: 49.7 bytes
   * against 49.2). Takes precedence over `contexts`.
   * @default false
   */
  fast?: boolean;
  /** Extension fields (§4). */
  extensions?: Extensions;
  /**
   * The most bytes the payload may take, when the link allows more than the profile's `maxBytes`
   * (a signed `s` payload is sent in one 51-byte LoRaWAN frame, not a 31-byte BLE advertisement).
   * At most 1024 (§14). @default profile.maxBytes
   */
  maxBytes?: number;
}

/** A decoded payload. */
export interface DecodedPayload {
  profile: Profile;
  mode: Mode;
  /**
   * `H*W*G` indices in grid order (§1). A view into a 16 KiB buffer shared with other decoded
   * grids: use `grid.slice()` before transferring `grid.buffer` to another thread.
   */
  grid: Uint16Array;
  /** Read-only: payloads without extensions share one frozen empty object. */
  extensions: Extensions;
  /** Bytes of the body (after the header and the extension block). */
  bodyBytes: number;
}

// Scratch for bodies: the largest is a range-coded or table-ANS grid of 1024 indices (§6, §6.7, §14).
const SCRATCH = new Uint8Array(Math.max(maxRangeBody(LIMITS.gridLength), maxTansBody(LIMITS.gridLength, MAX_TABLE_LOG)) + 16);

// Decoded grids are views into shared 16 KiB slabs, as Node pools small Buffers: a 128-byte
// typed array has its own off-heap store in V8, and allocating one cost 360 ns where a view costs
// 20 ns (measured on the 8x8 grid of the benchmark), most of a decode.
const SLAB_BYTES = 16384;
let slab = new ArrayBuffer(SLAB_BYTES);
let slabUsed = 0;

/** A zeroed grid of `n` indices (n <= 1024) carved from the current slab. */
function newGrid(n: number): Uint16Array {
  if (slabUsed + 2 * n > SLAB_BYTES) {
    slab = new ArrayBuffer(SLAB_BYTES);
    slabUsed = 0;
  }
  const grid = new Uint16Array(slab, slabUsed, n);
  slabUsed += 2 * n;
  return grid;
}

/** Checks a grid against the profile (§1): length `H*W*G`, each index below its `K_g`. */
function checkGrid(grid: ArrayLike<number>, profile: Profile, coding: Coding): void {
  if (grid.length !== profile.gridLength) fail('E_GRID', -1, `length ${grid.length}, expected ${profile.gridLength}`);
  const k = coding.k;
  for (let n = 0; n < grid.length; n++) {
    const v = grid[n]!;
    if (!(v >= 0 && v < k[n]! && Number.isInteger(v))) fail('E_GRID', -1, `index ${n} = ${v}, expected 0..${k[n]! - 1}`);
  }
}

/** The entropy-coded body of `grid` in mode 1, 2 or 3 into SCRATCH; returns its end. */
function entropyBody(grid: ArrayLike<number>, profile: Profile, coding: Coding, mode: 1 | 2 | 3): number {
  if (mode === 3) return tansEncode(grid, tansOf(profile, coding), SCRATCH, 0);
  return rangeEncode(grid, mode === 2 ? coding.mode2! : coding.mode1, SCRATCH, 0);
}

/**
 * Encodes a grid canonically (§7). Fails with `E_GRID` for a wrong length or index, `E_MODE` when
 * mode 2 is forced on a profile without contexts, `E_EXT_*` for bad extension values, and
 * `E_OVER_BOUND` when the payload would exceed the profile's `maxBytes` (in every mode).
 *
 * ```ts
 * encodeGrid(grid, profile); // auto: mode 1, or mode 0 when that is smaller (§7)
 * encodeGrid(grid, profile, { fast: true }); // auto with mode 3: faster to decode, half a byte more
 * ```
 */
export function encodeGrid(grid: ArrayLike<number>, profile: Profile, options: EncodeOptions = {}): Uint8Array {
  const coding = codingOf(profile);
  checkGrid(grid, profile, coding);
  const requested = options.mode ?? 'auto';
  let mode: Mode;
  let bodyEnd: number;
  if (requested === 0) {
    mode = 0;
    bodyEnd = packFixed(grid, coding.bits, SCRATCH, 0, profile.fixedBodyBytes);
  } else {
    if (requested === 2 && coding.mode2 === null) fail('E_MODE', 4, 'profile has no contexts');
    mode = requested === 'auto' ? (options.fast ? 3 : options.contexts && coding.mode2 ? 2 : 1) : requested;
    bodyEnd = entropyBody(grid, profile, coding, mode);
    if (requested === 'auto' && bodyEnd > profile.fixedBodyBytes) {
      mode = 0; // §7 step 2
      bodyEnd = packFixed(grid, coding.bits, SCRATCH, 0, profile.fixedBodyBytes);
    }
  }
  const ext = writeExtensions(options.extensions);
  const total = HEADER_BYTES + ext.bytes.length + bodyEnd;
  const maxBytes = Math.min(options.maxBytes ?? profile.maxBytes, LIMITS.payloadBytes);
  if (total > maxBytes) fail('E_OVER_BOUND', -1, `${total} bytes, maxBytes ${maxBytes}`); // §7 step 3
  const out = new Uint8Array(total);
  out[0] = (VERSION << 4) | (mode << 2) | (ext.bytes.length > 0 ? 2 : 0);
  out[1] = (profile.id << 4) | profile.tag;
  out.set(ext.bytes, HEADER_BYTES);
  out.set(SCRATCH.subarray(0, bodyEnd), HEADER_BYTES + ext.bytes.length);
  out[2] = payloadCheck(coding.crcState, out);
  return out;
}

/** The header fields of §2 after the checks of §8 steps 1 to 6. */
interface Header {
  profile: Profile;
  coding: Coding;
  mode: Mode;
  extensions: Extensions;
  bodyStart: number;
}

function isProfileSet(p: Profile | ProfileSet): p is ProfileSet {
  return typeof (p as ProfileSet).get === 'function';
}

/** §8 steps 1 to 6: size, byte 0, byte 1, extensions, mode-0 length, the check byte. */
function readHeader(payload: Uint8Array, profiles: Profile | ProfileSet): Header {
  const len = payload.length;
  if (len === 0) fail('E_EMPTY', 0); // step 1
  if (len > LIMITS.payloadBytes) fail('E_TOO_LARGE', LIMITS.payloadBytes * 8);
  if (len < HEADER_BYTES) fail('E_TRUNCATED', len * 8);
  const b0 = payload[0]!, b1 = payload[1]!;
  if (b0 >> 4 !== VERSION) fail('E_VERSION', 0); // step 2
  if (b0 & 1) fail('E_RESERVED', 7);
  const mode = (b0 >> 2) & 3;
  const id = b1 >> 4; // step 3
  // Duck-typed rather than instanceof, so a set from the package's other build (ESM or CJS) works.
  const profile = isProfileSet(profiles) ? profiles.get(id) : profiles.id === id ? profiles : undefined;
  if (profile === undefined) fail('E_PROFILE_UNKNOWN', 8);
  if ((b1 & 15) !== profile.tag) fail('E_PROFILE_HASH', 12);
  const coding = codingOf(profile);
  if (mode === 2 && coding.mode2 === null) fail('E_MODE', 4);
  let extensions = NO_EXTENSIONS;
  let bodyStart = HEADER_BYTES;
  if (b0 & 2) {
    const block = readExtensions(payload, HEADER_BYTES); // step 4
    extensions = block.extensions;
    bodyStart = block.end;
  }
  if (mode === 0) {
    const body = len - bodyStart; // step 5
    if (body < profile.fixedBodyBytes) fail('E_TRUNCATED', len * 8);
    if (body > profile.fixedBodyBytes) fail('E_TRAILING', (bodyStart + profile.fixedBodyBytes) * 8);
  }
  if (payloadCheck(coding.crcState, payload) !== payload[2]) fail('E_CHECK', 16); // step 6
  return { profile, coding, mode: mode as Mode, extensions, bodyStart };
}

/** §8 step 7: the body into `grid`. */
function readBody(payload: Uint8Array, h: Header, grid: Uint16Array): void {
  if (h.mode === 0) unpackFixed(payload, h.bodyStart, h.coding.bits, h.coding.k, grid);
  else if (h.mode === 3) tansDecode(payload, h.bodyStart, payload.length, tansOf(h.profile, h.coding), h.profile.gridLength, grid);
  else rangeDecode(payload, h.bodyStart, payload.length, h.mode === 2 ? h.coding.decode2! : h.coding.decode1, grid);
}

/**
 * Decodes a payload, running the checks of §8 in order; the first failure throws its
 * {@link FacevqError}. `profiles` is the one profile the decoder holds or a set of them.
 */
export function decodeGrid(payload: Uint8Array, profiles: Profile | ProfileSet): DecodedPayload {
  const h = readHeader(payload, profiles);
  const grid = newGrid(h.profile.gridLength);
  readBody(payload, h, grid);
  return { profile: h.profile, mode: h.mode, grid, extensions: h.extensions, bodyBytes: payload.length - h.bodyStart };
}

/**
 * Decodes a payload like {@link decodeGrid}, with the same checks and errors, but writes the
 * indices into `grid` (grid order, §1) and returns only the payload's profile. `grid` needs at
 * least `profile.gridLength` entries (`LIMITS.gridLength` fits every profile), else RangeError;
 * entries after those are left as they were. After a failure the grid's contents are unspecified.
 * Extension values are checked but not returned: use {@link decodeGrid} to read them. No grid and
 * no result are allocated, which suits a loop that decodes many payloads into one array (on the
 * benchmark's 4x4x4 grids it decodes about 20% more payloads per second than `decodeGrid`):
 *
 * ```ts
 * const grid = new Uint16Array(profile.gridLength);
 * for (const payload of payloads) {
 *   decodeGridInto(payload, profile, grid);
 *   embedGridInto(grid, profile, embedding);
 * }
 * ```
 */
export function decodeGridInto(payload: Uint8Array, profiles: Profile | ProfileSet, grid: Uint16Array): Profile {
  const h = readHeader(payload, profiles);
  const n = h.profile.gridLength;
  if (grid.length < n) throw new RangeError(`decodeGridInto: grid has ${grid.length} entries, the profile needs ${n}`);
  readBody(payload, h, grid);
  return h.profile;
}

/**
 * The ideal size in bits of a grid's indices: `sum -log2(f[s] / 2^15)` under the prior of modes 1
 * (default) and 3 or the mode-2 contexts, or the fixed width of mode 0. Add 24 bits of header for the
 * bound quoted by the benchmark.
 */
export function idealBits(grid: ArrayLike<number>, profile: Profile, mode: Mode = 1): number {
  const coding = codingOf(profile);
  checkGrid(grid, profile, coding);
  let sum = 0;
  if (mode === 0) {
    for (let n = 0; n < grid.length; n++) sum += coding.bits[n]!;
    return sum;
  }
  if (mode === 2 && coding.mode2 === null) fail('E_MODE', -1, 'profile has no contexts');
  const tables = mode === 2 ? coding.mode2! : coding.mode1;
  for (let n = 0; n < grid.length; n++) sum += tables[n]!.cost[grid[n]!]!;
  return sum;
}

/** Everything `facevq inspect` shows about a valid payload. */
export interface PayloadInspection {
  version: number;
  mode: Mode;
  /** The `X` bit. */
  hasExtensions: boolean;
  profileId: number;
  profileTag: number;
  profile: Profile;
  /** Byte 2, the check byte (§3). */
  check: number;
  extensions: Extensions;
  /** Header plus extension block. */
  headerBytes: number;
  bodyBytes: number;
  totalBytes: number;
  grid: Uint16Array;
  /**
   * Bits each index cost in this payload: `bits_g` in mode 0, `log2(range / (r * f))` in modes 1
   * and 2, its `nbBits` in mode 3 (the last index costs 0, §6.7.4).
   */
  codedBits: Float64Array;
  /** Ideal bits of each index under the mode-1 prior, `-log2(f / 2^15)`. */
  idealBits: Float64Array;
  codedBitsTotal: number;
  idealBitsTotal: number;
  /**
   * Body bits not attributed to an index: mode-0 padding, the range coder's termination, or the
   * table-ANS initial state and padding.
   */
  overheadBits: number;
}

/** Decodes a payload like {@link decodeGrid} and reports its fields and per-index costs. */
export function inspectPayload(payload: Uint8Array, profiles: Profile | ProfileSet): PayloadInspection {
  const h = readHeader(payload, profiles);
  const { profile, coding } = h;
  const grid = new Uint16Array(profile.gridLength);
  readBody(payload, h, grid);
  const codedBits =
    h.mode === 0 ? Float64Array.from(coding.bits)
    : h.mode === 3 ? tansCosts(grid, tansOf(profile, coding))
    : rangeCosts(grid, h.mode === 2 ? coding.mode2! : coding.mode1);
  const ideal = new Float64Array(profile.gridLength);
  for (let n = 0; n < grid.length; n++) ideal[n] = coding.mode1[n]!.cost[grid[n]!]!;
  const codedBitsTotal = codedBits.reduce((a, b) => a + b, 0);
  const bodyBytes = payload.length - h.bodyStart;
  return {
    version: payload[0]! >> 4,
    mode: h.mode,
    hasExtensions: (payload[0]! & 2) !== 0,
    profileId: payload[1]! >> 4,
    profileTag: payload[1]! & 15,
    profile,
    check: payload[2]!,
    extensions: h.extensions,
    headerBytes: h.bodyStart,
    bodyBytes,
    totalBytes: payload.length,
    grid,
    codedBits,
    idealBits: ideal,
    codedBitsTotal,
    idealBitsTotal: ideal.reduce((a, b) => a + b, 0),
    overheadBits: bodyBytes * 8 - codedBitsTotal,
  };
}
