import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { signCapture, signGrid, signPayload, SIGNATURE_BYTES, verifyPayload } from './auth.js';
import { readProfile } from './profile.js';
import { decodeGrid, encodeGrid } from './payload.js';
import { readExtensions } from './extensions.js';
import { makeRng, makeTestProfile, sampleGrid } from './_testing.js';
import { FacevqError } from './errors.js';

const { profile } = makeTestProfile({ h: 4, w: 4, k: 64, seed: 21, maxBytes: 80 });
const key = new TextEncoder().encode('a device key');
const grid = sampleGrid(profile, makeRng(1));

describe('auth tag (§4, §13)', () => {
  it('signs with HMAC-SHA-256 over the payload with check byte and tag zeroed', async () => {
    const bare = encodeGrid(grid, profile, { extensions: { keyId: Uint8Array.of(7), nonce: Uint8Array.of(1, 2, 3) } });
    const signed = await signPayload(bare, profile, key, 12);
    const d = decodeGrid(signed, profile);
    expect(Array.from(d.grid)).toEqual(Array.from(grid));
    expect(d.extensions.keyId).toEqual(Uint8Array.of(7));
    expect(d.extensions.authTag!.length).toBe(12);
    // Independent computation with node:crypto.
    const { tagOffset } = readExtensions(signed, 3);
    const m = Uint8Array.from(signed);
    m[2] = 0;
    m.fill(0, tagOffset, tagOffset + 12);
    const mac = createHmac('sha256', key).update(m).digest().subarray(0, 12);
    expect(Buffer.from(d.extensions.authTag!)).toEqual(mac);
    expect(await verifyPayload(signed, key)).toBe(true);
  });

  it('is canonical: re-encoding the decoded payload gives the same bytes', async () => {
    const signed = await signPayload(encodeGrid(grid, profile), profile, key);
    const d = decodeGrid(signed, profile);
    expect(encodeGrid(d.grid, profile, { mode: d.mode, extensions: d.extensions })).toEqual(signed);
  });

  it('replaces an existing tag and keeps the mode', async () => {
    const once = await signPayload(encodeGrid(grid, profile, { mode: 0 }), profile, key, 4);
    const twice = await signPayload(once, profile, new Uint8Array(32).fill(1), 8);
    expect(decodeGrid(twice, profile).mode).toBe(0);
    expect(decodeGrid(twice, profile).extensions.authTag!.length).toBe(8);
    expect(await verifyPayload(twice, key)).toBe(false);
    expect(await verifyPayload(twice, new Uint8Array(32).fill(1))).toBe(true);
  });

  it('rejects tampering, wrong keys and missing tags', async () => {
    const signed = await signPayload(encodeGrid(grid, profile), profile, key);
    expect(await verifyPayload(signed, new TextEncoder().encode('another key'))).toBe(false);
    const tampered = Uint8Array.from(signed);
    tampered[tampered.length - 1]! ^= 1;
    expect(await verifyPayload(tampered, key)).toBe(false);
    // The check byte is not covered: changing it alone keeps the tag valid (the CRC catches it).
    const checkOnly = Uint8Array.from(signed);
    checkOnly[2]! ^= 0xff;
    expect(await verifyPayload(checkOnly, key)).toBe(true);
    expect(await verifyPayload(encodeGrid(grid, profile), key)).toBe(false);
    expect(await verifyPayload(encodeGrid(grid, profile, { extensions: { captureTime: 5 } }), key)).toBe(false);
  });

  it('fails with codes on malformed input and bad arguments', async () => {
    await expect(verifyPayload(new Uint8Array(0), key)).rejects.toBeInstanceOf(FacevqError);
    await expect(verifyPayload(Uint8Array.of(0x12, 0, 0, 0), key)).rejects.toMatchObject({ code: 'E_EXT_MALFORMED' });
    await expect(signPayload(encodeGrid(grid, profile), profile, key, 3)).rejects.toBeInstanceOf(RangeError);
    const tight = makeTestProfile({ h: 4, w: 4, k: 64, seed: 21, maxBytes: 3 + 12 }).profile;
    await expect(signPayload(encodeGrid(grid, tight, { mode: 0 }), tight, key)).rejects.toMatchObject({ code: 'E_OVER_BOUND' });
  });
});

describe('signed captures (§13)', () => {
  const keyId = Uint8Array.of(0x2a);

  it('adds key id, capture time and tag; verifies under the key, not another', async () => {
    const signed = await signGrid(grid, profile, { keyId, key, time: 1_700_000_000 });
    const d = decodeGrid(signed, profile);
    expect(Array.from(d.grid)).toEqual(Array.from(grid));
    expect(d.extensions).toMatchObject({ keyId, captureTime: 1_700_000_000 });
    expect(d.extensions.authTag!.length).toBe(8);
    expect(d.extensions.nonce).toBeUndefined();
    expect(await verifyPayload(signed, key)).toBe(true);
    expect(await verifyPayload(signed, Uint8Array.of(1))).toBe(false);
    const again = await signCapture(encodeGrid(grid, profile, { mode: d.mode }), profile, { keyId, key, time: 1_700_000_000 });
    expect(again).toEqual(signed);
    const withNonce = await signGrid(grid, profile, { keyId, key, time: 5, nonce: Uint8Array.of(9, 9), tagLength: 16 });
    expect(decodeGrid(withNonce, profile).extensions).toMatchObject({ nonce: Uint8Array.of(9, 9), captureTime: 5 });
    expect(decodeGrid(withNonce, profile).extensions.authTag!.length).toBe(16);
  });

  it('fits the largest signed s payload in one 51-byte LoRaWAN frame', async () => {
    const s = readProfile(new Uint8Array(readFileSync(new URL('../../models/s.fvqp', import.meta.url))));
    // Mode 0 is the largest an auto-mode payload gets (§7): 3 + B0 bytes.
    const worst = sampleGrid(s, makeRng(3));
    const bare = encodeGrid(worst, s, { mode: 0 });
    expect(bare.length).toBe(s.maxBytes);
    const signed = await signGrid(worst, s, { keyId, key, time: 0xffffffff }, { mode: 0 });
    expect(signed.length - bare.length).toBe(SIGNATURE_BYTES);
    expect(SIGNATURE_BYTES).toBe(20); // N 1, key id 2+1, time 2+4, tag 2+8
    expect(signed.length).toBeLessThanOrEqual(51);
    await expect(signGrid(worst, s, { keyId: Uint8Array.of(1, 2), key }, { mode: 0 })).rejects.toMatchObject({ code: 'E_OVER_BOUND' });
  });
});
