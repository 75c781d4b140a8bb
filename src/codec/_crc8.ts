/**
 * CRC-8/AUTOSAR for the check byte (§3): width 8, polynomial 0x2F, initial value 0xFF, no
 * reflection, final XOR 0xFF. Check value of ASCII "123456789": 0xDF.
 *
 * The check covers `sha256(profile) || payload[0..1] || payload[3..]`. The state after the 32
 * hash bytes is the same for every payload of a profile, so {@link crc8Begin} computes it once
 * and a payload costs one table step per payload byte.
 */

const POLY = 0x2f;
const INIT = 0xff;
const XOR_OUT = 0xff;

/** TABLE[b] is the register after shifting the byte `b` through it from zero (MSB first). */
const TABLE = /* @__PURE__ */ (() => {
  const t = new Uint8Array(256);
  for (let b = 0; b < 256; b++) {
    let c = b;
    for (let k = 0; k < 8; k++) c = c & 0x80 ? ((c << 1) ^ POLY) & 0xff : (c << 1) & 0xff;
    t[b] = c;
  }
  return t;
})();

/** The raw register after `init` and the bytes `buf[start..end)`; no final XOR. */
export function crc8Update(state: number, buf: Uint8Array, start = 0, end = buf.length): number {
  let c = state;
  for (let i = start; i < end; i++) c = TABLE[c ^ buf[i]!]!;
  return c;
}

/** The raw register after the initial value and `prefix` (e.g. a profile's 32-byte hash). */
export function crc8Begin(prefix: Uint8Array): number {
  return crc8Update(INIT, prefix);
}

/** The CRC value from a raw register. */
export function crc8Final(state: number): number {
  return state ^ XOR_OUT;
}

/** CRC-8/AUTOSAR of a whole byte string. */
export function crc8(buf: Uint8Array): number {
  return crc8Final(crc8Update(INIT, buf));
}

/**
 * Bytes covered by the second of {@link payloadCheck}'s two chains. 24 splits an `m` payload
 * (about 49 bytes) into two chains of about 23 steps each.
 */
const TAIL = 24;

/**
 * SHIFT[r] is the register `r` carried over TAIL zero bytes. The register is linear in its
 * starting value: after `A || B` it is SHIFT(register after A) XOR (register after B from 0),
 * where SHIFT carries over `|B|` bytes. So a payload's last TAIL bytes can run as a chain of their
 * own, beside the rest, and the two meet in one look-up.
 */
const SHIFT = /* @__PURE__ */ (() => {
  const t = new Uint8Array(256);
  for (let r = 0; r < 256; r++) {
    let c = r;
    for (let k = 0; k < TAIL; k++) c = TABLE[c]!;
    t[r] = c;
  }
  return t;
})();

/**
 * The check byte of §3 for a payload, given the register after the profile hash
 * (`crc8Begin(profile.sha256)`): covers bytes 0, 1 and 3..end, skipping the check byte itself.
 * Each table step waits for the one before it; with the last TAIL bytes as a second, independent
 * chain (see SHIFT) an `m` payload's check took 46 ns instead of 62, and `decodeGridInto` of a
 * mode-3 `m` payload 350-374 ns instead of 382-393 (two runs each, alternating).
 */
export function payloadCheck(hashState: number, payload: Uint8Array, end = payload.length): number {
  let c = TABLE[hashState ^ payload[0]!]!;
  c = TABLE[c ^ payload[1]!]!;
  const split = end - TAIL;
  if (split <= 3) {
    for (let i = 3; i < end; i++) c = TABLE[c ^ payload[i]!]!;
    return c ^ XOR_OUT;
  }
  let d = 0; // the register over payload[split..end), from 0
  const both = Math.min(split - 3, TAIL);
  for (let k = 0; k < both; k++) {
    c = TABLE[c ^ payload[3 + k]!]!;
    d = TABLE[d ^ payload[split + k]!]!;
  }
  for (let i = 3 + both; i < split; i++) c = TABLE[c ^ payload[i]!]!;
  for (let i = split + both; i < end; i++) d = TABLE[d ^ payload[i]!]!;
  return SHIFT[c]! ^ d ^ XOR_OUT;
}
