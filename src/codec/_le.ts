/**
 * Little-endian arrays of numbers stored in MessagePack `bin` (§10.2): `f32`, `u16` and `u8`.
 * Reads copy into fresh, aligned typed arrays; writes produce fresh byte arrays.
 */

/** True when the host stores multi-byte numbers little-endian (every mainstream JS engine). */
const HOST_LE = /* @__PURE__ */ new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** A copy of `bin` read as little-endian binary32 values; `bin.length` MUST be a multiple of 4. */
export function f32FromLE(bin: Uint8Array): Float32Array {
  // `new Uint8Array(bin)` copies even when `bin` is a Node Buffer, whose `slice()` is a view.
  if (HOST_LE) return new Float32Array(new Uint8Array(bin).buffer);
  const view = new DataView(bin.buffer, bin.byteOffset, bin.byteLength);
  const out = new Float32Array(bin.length >>> 2);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(4 * i, true);
  return out;
}

/** A copy of `bin` read as little-endian u16 values; `bin.length` MUST be even. */
export function u16FromLE(bin: Uint8Array): Uint16Array {
  const out = new Uint16Array(bin.length >>> 1);
  for (let i = 0; i < out.length; i++) out[i] = bin[2 * i]! | (bin[2 * i + 1]! << 8);
  return out;
}

/** The `i`-th little-endian u16 of `bin`, without copying. */
export function u16At(bin: Uint8Array, i: number): number {
  return bin[2 * i]! | (bin[2 * i + 1]! << 8);
}

/** Little-endian bytes of binary32 values. */
export function f32ToLE(values: Float32Array): Uint8Array {
  if (HOST_LE) return new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength));
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(4 * i, values[i]!, true);
  return out;
}

/** Little-endian bytes of u16 values. */
export function u16ToLE(values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(values.length * 2);
  for (let i = 0; i < values.length; i++) {
    out[2 * i] = values[i]! & 0xff;
    out[2 * i + 1] = values[i]! >>> 8;
  }
  return out;
}
