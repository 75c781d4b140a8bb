/**
 * The check of a signed payload (spec §13) on the routes that decide access (identify, verify):
 * tag, then time, then replay, so a payload that is not the device's own cannot probe the clock
 * or fill the replay cache.
 *
 * 1. No tag: accepted when the gallery's policy is `optional`, else `E_UNSIGNED`. A tag without a
 *    key id or capture time is `E_UNSIGNED` too.
 * 2. The tenant's device key named by the key id must exist, be live, not expired and allowed on
 *    the gallery; the tag must be at least {@link MIN_TAG_BYTES} and equal HMAC-SHA-256 under
 *    the key, compared in constant time: else `E_AUTH_TAG`.
 * 3. The capture time must be within the window of the server's clock, either side: `E_STALE`.
 * 4. The nonce (the nonce extension, or the tag when there is none) is claimed in the gallery's
 *    store until the capture time plus the window, after which the payload would be stale
 *    anyway; a nonce already claimed is `E_REPLAY`.
 */
import { verifyPayload, type Extensions } from '../../codec/index.js';
import { reject } from '../errors.js';
import type { GalleryRef } from '../names.js';
import type { GalleryStore } from '../store/types.js';
import { toHex, type DeviceRegistry } from './devices.js';

/** The shortest tag accepted: 8 bytes, so a forgery succeeds once in 2^64 tries. */
export const MIN_TAG_BYTES = 8;

/** What the check needs. */
export interface SignedCheck {
  devices: DeviceRegistry;
  store: GalleryStore;
  /** Accepted distance between a capture time and the server's clock, in seconds. */
  windowSeconds: number;
  /** Milliseconds since the epoch. */
  now: number;
}

/** Checks `payload` (already decoded: `ext` are its extensions) for the gallery `ref`. */
export async function checkSigned(check: SignedCheck, ref: GalleryRef, payload: Uint8Array, ext: Extensions): Promise<void> {
  if (ext.authTag === undefined) {
    if ((await check.devices.policy(ref)) === 'required') reject('E_UNSIGNED', `gallery ${ref.gallery} accepts only signed payloads (§13)`);
    return;
  }
  if (ext.keyId === undefined || ext.captureTime === undefined) reject('E_UNSIGNED', 'a signed payload needs a key id and a capture time (§13)');
  const keyId = toHex(ext.keyId);
  const key = await check.devices.lookup(ref.tenant, keyId);
  const usable = key !== null && (key.expiresAt === undefined || key.expiresAt > check.now) && (!key.galleries || key.galleries.includes(ref.gallery));
  if (!usable) reject('E_AUTH_TAG', `no live device key ${keyId} for this gallery`);
  if (ext.authTag.length < MIN_TAG_BYTES) reject('E_AUTH_TAG', `auth tag of ${ext.authTag.length} bytes; at least ${MIN_TAG_BYTES}`);
  if (!(await verifyPayload(payload, key.secret))) reject('E_AUTH_TAG', 'auth tag does not match');
  const skew = ext.captureTime - check.now / 1000;
  if (Math.abs(skew) > check.windowSeconds) {
    reject('E_STALE', `capture time is ${Math.round(Math.abs(skew))} s ${skew < 0 ? 'in the past' : 'in the future'}; the window is ${check.windowSeconds} s`);
  }
  const nonce = `${keyId}/${toHex(ext.nonce ?? ext.authTag)}`;
  const fresh = await check.store.claimNonce(ref, nonce, (ext.captureTime + check.windowSeconds) * 1000);
  if (!fresh) reject('E_REPLAY', 'this payload was already received');
}
