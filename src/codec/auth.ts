/**
 * Authentication (§4 type 0x04, §13): the auth tag is the first `L` bytes of
 * HMAC-SHA-256(key, M), where `M` is the payload with the check byte and the tag's value bytes set
 * to 0x00. Uses Web Crypto (`crypto.subtle`: Node 20, browsers, Workers).
 */

import { fail } from './errors.js';
import { payloadCheck } from './_crc8.js';
import { codingOf } from './_coding.js';
import { readExtensions, type Extensions } from './extensions.js';
import { decodeGrid, encodeGrid, type EncodeOptions } from './payload.js';
import type { Profile } from './profile.js';
import type { ProfileSet } from './profile-set.js';

/** HMAC-SHA-256(key, message), 32 bytes (Web Crypto). */
export async function hmacSha256(key: Uint8Array, message: Uint8Array): Promise<Uint8Array> {
  const subtle = globalThis.crypto?.subtle;
  if (subtle === undefined) throw new TypeError('auth: crypto.subtle is not available in this runtime');
  const k = await subtle.importKey('raw', key as Uint8Array<ArrayBuffer>, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return new Uint8Array(await subtle.sign('HMAC', k, message as Uint8Array<ArrayBuffer>));
}

/** `payload` with the check byte and the tag value zeroed: the message `M` of §4. */
function macInput(payload: Uint8Array, tagOffset: number, tagLength: number): Uint8Array {
  const m = new Uint8Array(payload); // a copy, also of a Node Buffer (whose slice() is a view)
  m[2] = 0;
  m.fill(0, tagOffset, tagOffset + tagLength);
  return m;
}

/**
 * A device's signing key and what it adds to a payload (§13): key id, capture time, optional
 * nonce, and an auth tag of `tagLength` bytes.
 */
export interface SignOptions {
  /** The key's id, written as extension 0x03: 1..8 bytes. */
  keyId: Uint8Array;
  /** The key: HMAC-SHA-256's key (the service issues 32 bytes). */
  key: Uint8Array;
  /** Capture time, seconds since 1970 (extension 0x01). @default now */
  time?: number;
  /**
   * A nonce (extension 0x02), 1..16 bytes. Without one the receiver uses the tag as the nonce
   * (§13), which costs no bytes: only a byte-identical payload is then a replay.
   */
  nonce?: Uint8Array;
  /** Bytes of the tag, 4..16. @default 8 */
  tagLength?: number;
  /**
   * The most bytes the signed payload may take.
   * @default the profile's `maxBytes` + {@link SIGNATURE_BYTES}
   */
  maxBytes?: number;
}

/**
 * What signing adds with a 1-byte key id, no nonce and an 8-byte tag: the block's length byte,
 * then type and length bytes plus value for the time (4), key id (1) and tag (8). So a signed
 * `s` payload (at most 31 + 20 bytes) fits one 51-byte LoRaWAN frame; a signed `m` payload
 * takes up to 71. Signing fails with `E_OVER_BOUND` beyond the profile's bound plus this.
 */
export const SIGNATURE_BYTES = 1 + (2 + 4) + (2 + 1) + (2 + 8);

function checkTagLength(tagLength: number): void {
  if (!Number.isInteger(tagLength) || tagLength < 4 || tagLength > 16) throw new RangeError('sign: tagLength must be 4..16');
}

/** Encodes `grid` with `options`' extensions and a tag of `tagLength` bytes under `key` (§4, §13). */
async function encodeSigned(grid: ArrayLike<number>, profile: Profile, options: EncodeOptions, key: Uint8Array, tagLength: number): Promise<Uint8Array> {
  checkTagLength(tagLength);
  const out = encodeGrid(grid, profile, { ...options, extensions: { ...options.extensions, authTag: new Uint8Array(tagLength) } });
  const { tagOffset } = readExtensions(out, 3);
  const mac = await hmacSha256(key, macInput(out, tagOffset, tagLength));
  out.set(mac.subarray(0, tagLength), tagOffset);
  out[2] = payloadCheck(codingOf(profile).crcState, out);
  return out;
}

/**
 * Adds (or replaces) an auth tag of `tagLength` bytes (4..16) on a valid payload, keeping its
 * grid, mode and other extensions: the payload is re-encoded with a zeroed tag, the tag computed
 * over it (§4), written, and the check byte recomputed. Fails like {@link decodeGrid} on an
 * invalid payload and with `E_OVER_BOUND` when the tag does not fit in `maxBytes`.
 */
export async function signPayload(payload: Uint8Array, profile: Profile, key: Uint8Array, tagLength = 8): Promise<Uint8Array> {
  checkTagLength(tagLength);
  const decoded = decodeGrid(payload, profile);
  return encodeSigned(decoded.grid, profile, { mode: decoded.mode, extensions: decoded.extensions }, key, tagLength);
}

/**
 * Encodes a grid as a device's signed capture (§13): its key id, the capture time, an optional
 * nonce and the tag, within `options.maxBytes`. Fails like {@link encodeGrid}
 * (`E_OVER_BOUND` when it does not fit).
 *
 * ```ts
 * const payload = await signGrid(grid, profile, { keyId: Uint8Array.of(7), key });
 * ```
 */
export async function signGrid(grid: ArrayLike<number>, profile: Profile, options: SignOptions, encode: EncodeOptions = {}): Promise<Uint8Array> {
  const time = options.time ?? Math.floor(Date.now() / 1000);
  const extensions: Extensions = { ...encode.extensions, captureTime: time, keyId: options.keyId, ...(options.nonce && { nonce: options.nonce }) };
  const maxBytes = options.maxBytes ?? profile.maxBytes + SIGNATURE_BYTES;
  return encodeSigned(grid, profile, { ...encode, extensions, maxBytes }, options.key, options.tagLength ?? 8);
}

/**
 * {@link signGrid} for a payload that is already encoded (under `profiles`, or one of them):
 * keeps its grid, mode and other extensions.
 */
export async function signCapture(payload: Uint8Array, profiles: Profile | ProfileSet, options: SignOptions): Promise<Uint8Array> {
  const decoded = decodeGrid(payload, profiles);
  return signGrid(decoded.grid, decoded.profile, options, { mode: decoded.mode, extensions: decoded.extensions });
}

/**
 * True when the payload carries an auth tag (§4) that matches HMAC-SHA-256 under `key`, compared
 * in constant time (§13); false when it has no tag or the tag differs. Needs no profile, and does
 * not check the check byte or the body: decode the payload as well. Throws {@link FacevqError}
 * when the header or the extension block does not parse.
 */
export async function verifyPayload(payload: Uint8Array, key: Uint8Array): Promise<boolean> {
  if (payload.length === 0) fail('E_EMPTY', 0);
  if (payload.length > 1024) fail('E_TOO_LARGE', 1024 * 8);
  if (payload.length < 3) fail('E_TRUNCATED', payload.length * 8);
  if (payload[0]! >> 4 !== 1) fail('E_VERSION', 0);
  if (payload[0]! & 1) fail('E_RESERVED', 7);
  if ((payload[0]! & 2) === 0) return false;
  const { tagOffset, tagLength } = readExtensions(payload, 3);
  if (tagOffset < 0) return false;
  const mac = await hmacSha256(key, macInput(payload, tagOffset, tagLength));
  let diff = 0;
  for (let i = 0; i < tagLength; i++) diff |= mac[i]! ^ payload[tagOffset + i]!;
  return diff === 0;
}
