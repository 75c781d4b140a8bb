/**
 * Authentication (§4 type 0x04, §13): the auth tag is the first `L` bytes of
 * HMAC-SHA-256(key, M), where `M` is the payload with the check byte and the tag's value bytes set
 * to 0x00. Uses Web Crypto (`crypto.subtle`: Node 20, browsers, Workers).
 */

import { fail } from './errors.js';
import { payloadCheck } from './_crc8.js';
import { codingOf } from './_coding.js';
import { readExtensions } from './extensions.js';
import { decodeGrid, encodeGrid } from './payload.js';
import type { Profile } from './profile.js';

/** HMAC-SHA-256(key, message), 32 bytes. */
async function hmacSha256(key: Uint8Array, message: Uint8Array): Promise<Uint8Array> {
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
 * Adds (or replaces) an auth tag of `tagLength` bytes (4..16) on a valid payload, keeping its
 * grid, mode and other extensions: the payload is re-encoded with a zeroed tag, the tag computed
 * over it (§4), written, and the check byte recomputed. Fails like {@link decodeGrid} on an
 * invalid payload and with `E_OVER_BOUND` when the tag does not fit in `maxBytes`.
 */
export async function signPayload(payload: Uint8Array, profile: Profile, key: Uint8Array, tagLength = 8): Promise<Uint8Array> {
  if (!Number.isInteger(tagLength) || tagLength < 4 || tagLength > 16) throw new RangeError('signPayload: tagLength must be 4..16');
  const decoded = decodeGrid(payload, profile);
  const out = encodeGrid(decoded.grid, profile, {
    mode: decoded.mode,
    extensions: { ...decoded.extensions, authTag: new Uint8Array(tagLength) },
  });
  const { tagOffset } = readExtensions(out, 3);
  const mac = await hmacSha256(key, macInput(out, tagOffset, tagLength));
  out.set(mac.subarray(0, tagLength), tagOffset);
  out[2] = payloadCheck(codingOf(profile).crcState, out);
  return out;
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
