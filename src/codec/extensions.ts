/**
 * The extension block (§4): `N | T1 L1 V1[L1] | T2 L2 V2[L2] | ...`, present when the header's
 * `X` bit is set. Types strictly increase, so a set of extensions has one encoding (§7).
 */

import { fail } from './errors.js';

/** Known extension types (§4). */
export const EXT_CAPTURE_TIME = 0x01; // 4 bytes, seconds since 1970, big-endian
export const EXT_NONCE = 0x02; // 1..16 bytes
export const EXT_KEY_ID = 0x03; // 1..8 bytes
export const EXT_AUTH_TAG = 0x04; // 4..16 bytes
/** Types from here to 0x7F are unknown and skipped; from 0x80 they are critical (§4 rule 5). */
export const EXT_FIRST_UNKNOWN = 0x05;
export const EXT_FIRST_CRITICAL = 0x80;

/** Allowed value lengths of the known types, indexed by type (§4 table). */
const KNOWN_LENGTH: readonly (readonly [number, number])[] = [
  [0, 0],
  [4, 4], // capture time
  [1, 16], // nonce
  [1, 8], // key id
  [4, 16], // auth tag
];

/** The extension fields of a payload (§4). Absent fields are not in the block. */
export interface Extensions {
  /** Seconds since 1970-01-01T00:00:00Z, 0..2^32-1 (type 0x01). */
  captureTime?: number;
  /** 1..16 opaque bytes for replay protection (type 0x02). */
  nonce?: Uint8Array;
  /** 1..8 bytes naming the key of the auth tag (type 0x03). */
  keyId?: Uint8Array;
  /** 4..16 bytes: a truncated HMAC-SHA-256 (type 0x04, §13). */
  authTag?: Uint8Array;
  /** Entries of types this version does not know (0x05..0x7F when decoded), in type order. */
  unknown?: { type: number; value: Uint8Array }[];
}

/** A parsed extension block. */
export interface ExtensionBlock {
  extensions: Extensions;
  /** Offset of the first byte after the block. */
  end: number;
  /** Offset of the auth tag's value in the payload, or -1. */
  tagOffset: number;
  tagLength: number;
}

/** Extension sets with nothing in them share this frozen object. */
export const NO_EXTENSIONS: Extensions = Object.freeze({});

/**
 * Parses the block that starts at `payload[start]` (§4), applying its rules in order while
 * walking the entries. Values are copies.
 */
export function readExtensions(payload: Uint8Array, start: number): ExtensionBlock {
  if (start >= payload.length) fail('E_TRUNCATED', start * 8); // no room for N
  const n = payload[start]!;
  if (n === 0) fail('E_EXT_MALFORMED', start * 8); // rule 1
  const end = start + 1 + n;
  if (end > payload.length) fail('E_TRUNCATED', payload.length * 8); // rule 1
  const ext: Extensions = {};
  let tagOffset = -1, tagLength = 0;
  let prev = 0;
  let p = start + 1;
  while (p < end) {
    if (p + 2 > end) fail('E_EXT_MALFORMED', p * 8); // rule 2: T and L inside the block
    const type = payload[p]!, len = payload[p + 1]!;
    if (type === 0) fail('E_EXT_MALFORMED', p * 8); // rule 2: type 0 invalid
    const v = p + 2;
    if (v + len > end) fail('E_EXT_MALFORMED', p * 8); // rule 2: value inside the block
    if (type === prev) fail('E_EXT_DUPLICATE', p * 8); // rule 3
    if (type < prev) fail('E_EXT_ORDER', p * 8); // rule 3
    prev = type;
    if (type < EXT_FIRST_UNKNOWN) {
      const [lo, hi] = KNOWN_LENGTH[type]!;
      if (len < lo || len > hi) fail('E_EXT_MALFORMED', (p + 1) * 8); // rule 4
      if (type === EXT_CAPTURE_TIME) {
        ext.captureTime = ((payload[v]! << 24) | (payload[v + 1]! << 16) | (payload[v + 2]! << 8) | payload[v + 3]!) >>> 0;
      } else if (type === EXT_NONCE) {
        ext.nonce = copyOf(payload, v, v + len);
      } else if (type === EXT_KEY_ID) {
        ext.keyId = copyOf(payload, v, v + len);
      } else {
        ext.authTag = copyOf(payload, v, v + len);
        tagOffset = v;
        tagLength = len;
      }
    } else if (type >= EXT_FIRST_CRITICAL) {
      fail('E_EXT_CRITICAL', p * 8); // rule 5
    } else {
      (ext.unknown ??= []).push({ type, value: copyOf(payload, v, v + len) }); // rule 5: skip, report
    }
    p = v + len;
  }
  return { extensions: ext, end, tagOffset, tagLength };
}

/** The block for `ext`, with the offset of the auth tag's value inside it (or -1). */
export interface EncodedExtensions {
  /** `N` and the entries; empty when there is nothing to write (then `X = 0`). */
  bytes: Uint8Array;
  tagOffset: number;
}

function checkBytes(v: Uint8Array, lo: number, hi: number, name: string): Uint8Array {
  if (!(v instanceof Uint8Array) || v.length < lo || v.length > hi) {
    fail('E_EXT_MALFORMED', -1, `${name}: expected ${lo}..${hi} bytes`);
  }
  return v;
}

const NONE: EncodedExtensions = { bytes: new Uint8Array(0), tagOffset: -1 };

/**
 * Encodes an extension set canonically (§4, §7): entries in increasing type order, whatever the
 * order of `unknown`. Checks run in the order of spec/CONFORMANCE.md "Precedence of checks":
 * first every value on its own (`E_EXT_MALFORMED`: a named field out of range, an `unknown` type
 * outside 0x05..0xFF or a value over 255 bytes), then repeated `unknown` types
 * (`E_EXT_DUPLICATE`), then the block's size (`E_EXT_MALFORMED` when `N` would exceed 255).
 * Unknown types may be 0x05..0xFF (0x80 and up are critical: a decoder of this version rejects
 * them, which is what a test vector for `E_EXT_CRITICAL` needs).
 */
export function writeExtensions(ext: Extensions | undefined): EncodedExtensions {
  if (ext === undefined) return NONE;
  const entries: { type: number; value: Uint8Array }[] = [];
  if (ext.captureTime !== undefined) {
    const t = ext.captureTime;
    if (!Number.isInteger(t) || t < 0 || t > 0xffffffff) fail('E_EXT_MALFORMED', -1, 'captureTime: expected 0..2^32-1');
    entries.push({ type: EXT_CAPTURE_TIME, value: Uint8Array.of(t >>> 24, t >>> 16, t >>> 8, t) });
  }
  if (ext.nonce !== undefined) entries.push({ type: EXT_NONCE, value: checkBytes(ext.nonce, 1, 16, 'nonce') });
  if (ext.keyId !== undefined) entries.push({ type: EXT_KEY_ID, value: checkBytes(ext.keyId, 1, 8, 'keyId') });
  if (ext.authTag !== undefined) entries.push({ type: EXT_AUTH_TAG, value: checkBytes(ext.authTag, 4, 16, 'authTag') });
  const unknown = [...(ext.unknown ?? [])].sort((a, b) => a.type - b.type);
  for (const { type, value } of unknown) {
    if (!Number.isInteger(type) || type < EXT_FIRST_UNKNOWN || type > 0xff) fail('E_EXT_MALFORMED', -1, `unknown type ${type}: expected 5..255`);
    checkBytes(value, 0, 255, `type ${type}`);
  }
  for (let i = 1; i < unknown.length; i++) {
    if (unknown[i - 1]!.type === unknown[i]!.type) fail('E_EXT_DUPLICATE', -1, `type ${unknown[i]!.type}`);
  }
  entries.push(...unknown);
  if (entries.length === 0) return NONE;
  const n = entries.reduce((a, e) => a + 2 + e.value.length, 0);
  if (n > 255) fail('E_EXT_MALFORMED', -1, `block of ${n} bytes, at most 255`);
  const bytes = new Uint8Array(1 + n);
  bytes[0] = n;
  let p = 1, tagOffset = -1;
  for (const e of entries) {
    bytes[p] = e.type;
    bytes[p + 1] = e.value.length;
    if (e.type === EXT_AUTH_TAG) tagOffset = p + 2;
    bytes.set(e.value, p + 2);
    p += 2 + e.value.length;
  }
  return { bytes, tagOffset };
}

/** A copy of `bytes[from..to)`, also of a Node Buffer (whose `slice` is a view). */
function copyOf(bytes: Uint8Array, from: number, to: number): Uint8Array {
  return Uint8Array.prototype.slice.call(bytes, from, to);
}
