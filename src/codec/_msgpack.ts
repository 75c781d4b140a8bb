/**
 * A minimal MessagePack reader and writer for the profile file (§10) and the batch envelope (§11).
 *
 * Read me first:
 * - The reader accepts every encoding of nil, bool, int/uint (all widths), float32/64, str, bin,
 *   array and map, shortest or not (§10.2). It rejects ext types, the never-used byte 0xC1, maps
 *   whose keys are not str or repeat, invalid UTF-8, integers beyond +-(2^53 - 1), nesting deeper
 *   than `maxDepth` (the top-level container is depth 1), any length that runs past the end of the
 *   input, and bytes after the top-level value. Every length is checked against the bytes left
 *   before anything is allocated, so the output is at most a small multiple of the input.
 * - Failures throw a {@link FacevqError} with the caller's code (`E_PROFILE_FORMAT`,
 *   `E_BATCH_FORMAT`) and the byte offset times 8 as the bit position.
 * - Maps come back as plain objects with a null prototype (so `__proto__` is an ordinary key); bins
 *   come back as `subarray` views of the input, not copies. Floats come back as {@link MsgFloat}
 *   and integers as numbers, so a schema can refuse a float where it wants a uint even when the
 *   float is whole (`2.0`, §10.2).
 * - The writer emits the shortest form of every value and keeps object key insertion order (note
 *   that JavaScript puts integer-like keys such as `"1"` first). Wrap a number in {@link MsgFloat}
 *   to force float64 where the schema says float.
 */

import { fail, type ErrorCode } from './errors.js';

/** A decoded MessagePack value: an integer is a number, a float 32 or 64 a {@link MsgFloat}. */
export type MsgValue = null | boolean | number | MsgFloat | string | Uint8Array | MsgValue[] | MsgMap;
/** A decoded map: string keys, null prototype. */
export interface MsgMap {
  [key: string]: MsgValue;
}

/** A value the writer accepts. `undefined` map values are skipped. */
export type MsgInput =
  | null
  | boolean
  | number
  | string
  | Uint8Array
  | MsgFloat
  | readonly MsgInput[]
  | { readonly [key: string]: MsgInput | undefined };

/**
 * A float: the reader returns float 32 and float 64 values as this (never integers), and the
 * writer emits it as a float64, even for an integral value.
 */
export class MsgFloat {
  constructor(readonly value: number) {}
}

/** Reader options. */
export interface ReadOptions {
  /** The code thrown on malformed input. */
  errorCode: ErrorCode;
  /** Deepest container nesting accepted. @default 8 */
  maxDepth?: number;
}

interface Cursor {
  buf: Uint8Array;
  view: DataView;
  pos: number;
  code: ErrorCode;
  maxDepth: number;
}

/** Decodes one MessagePack value that fills `buf` exactly. */
export function readMsgpack(buf: Uint8Array, options: ReadOptions): MsgValue {
  const cur: Cursor = {
    buf,
    view: new DataView(buf.buffer, buf.byteOffset, buf.byteLength),
    pos: 0,
    code: options.errorCode,
    maxDepth: options.maxDepth ?? 8,
  };
  const value = readValue(cur, 0);
  if (cur.pos !== buf.length) fail(cur.code, cur.pos * 8, 'bytes after the value');
  return value;
}

/** Fails unless `n` more bytes are left; returns the start offset and advances past them. */
function take(cur: Cursor, n: number): number {
  const at = cur.pos;
  if (n > cur.buf.length - at) fail(cur.code, at * 8, 'length runs past the end');
  cur.pos = at + n;
  return at;
}

function readValue(cur: Cursor, depth: number): MsgValue {
  const at = take(cur, 1);
  const t = cur.buf[at]!;
  if (t <= 0x7f) return t; // positive fixint 0xxxxxxx
  if (t >= 0xe0) return t - 0x100; // negative fixint 111xxxxx
  if (t <= 0x8f) return readMap(cur, t & 0x0f, depth, at); // fixmap 1000xxxx
  if (t <= 0x9f) return readArray(cur, t & 0x0f, depth, at); // fixarray 1001xxxx
  if (t <= 0xbf) return readStr(cur, t & 0x1f); // fixstr 101xxxxx
  const v = cur.view;
  switch (t) {
    case 0xc0: return null; // nil
    case 0xc2: return false;
    case 0xc3: return true;
    case 0xc4: return readBin(cur, cur.buf[take(cur, 1)]!); // bin 8
    case 0xc5: return readBin(cur, v.getUint16(take(cur, 2))); // bin 16
    case 0xc6: return readBin(cur, v.getUint32(take(cur, 4))); // bin 32
    case 0xca: return new MsgFloat(v.getFloat32(take(cur, 4))); // float 32
    case 0xcb: return new MsgFloat(v.getFloat64(take(cur, 8))); // float 64
    case 0xcc: return cur.buf[take(cur, 1)]!; // uint 8
    case 0xcd: return v.getUint16(take(cur, 2)); // uint 16
    case 0xce: return v.getUint32(take(cur, 4)); // uint 32
    case 0xcf: { // uint 64
      const p = take(cur, 8);
      const hi = v.getUint32(p), lo = v.getUint32(p + 4);
      if (hi > 0x1fffff) fail(cur.code, at * 8, 'uint 64 beyond 2^53 - 1');
      return hi * 0x100000000 + lo;
    }
    case 0xd0: return v.getInt8(take(cur, 1)); // int 8
    case 0xd1: return v.getInt16(take(cur, 2)); // int 16
    case 0xd2: return v.getInt32(take(cur, 4)); // int 32
    case 0xd3: { // int 64
      const p = take(cur, 8);
      const hi = v.getInt32(p), lo = v.getUint32(p + 4);
      const x = hi * 0x100000000 + lo;
      if (hi > 0x1fffff || hi < -0x200000 || (hi === -0x200000 && lo === 0)) {
        fail(cur.code, at * 8, 'int 64 beyond +-(2^53 - 1)');
      }
      return x;
    }
    case 0xd9: return readStr(cur, cur.buf[take(cur, 1)]!); // str 8
    case 0xda: return readStr(cur, v.getUint16(take(cur, 2))); // str 16
    case 0xdb: return readStr(cur, v.getUint32(take(cur, 4))); // str 32
    case 0xdc: return readArray(cur, v.getUint16(take(cur, 2)), depth, at); // array 16
    case 0xdd: return readArray(cur, v.getUint32(take(cur, 4)), depth, at); // array 32
    case 0xde: return readMap(cur, v.getUint16(take(cur, 2)), depth, at); // map 16
    case 0xdf: return readMap(cur, v.getUint32(take(cur, 4)), depth, at); // map 32
    default: // 0xc1 (never used), 0xc7..0xc9 ext 8/16/32, 0xd4..0xd8 fixext
      return fail(cur.code, at * 8, `unsupported type byte 0x${t.toString(16)}`);
  }
}

function readBin(cur: Cursor, n: number): Uint8Array {
  const p = take(cur, n);
  return cur.buf.subarray(p, p + n);
}

function readStr(cur: Cursor, n: number): string {
  const p = take(cur, n);
  const s = decodeUtf8(cur.buf, p, p + n);
  if (s === null) fail(cur.code, p * 8, 'invalid UTF-8');
  return s;
}

function readArray(cur: Cursor, n: number, depth: number, at: number): MsgValue[] {
  if (depth + 1 > cur.maxDepth) fail(cur.code, at * 8, 'nesting too deep');
  // Each element takes at least one byte: check before allocating.
  if (n > cur.buf.length - cur.pos) fail(cur.code, at * 8, 'array length runs past the end');
  const out: MsgValue[] = new Array<MsgValue>(n);
  for (let i = 0; i < n; i++) out[i] = readValue(cur, depth + 1);
  return out;
}

function readMap(cur: Cursor, n: number, depth: number, at: number): MsgMap {
  if (depth + 1 > cur.maxDepth) fail(cur.code, at * 8, 'nesting too deep');
  if (n > (cur.buf.length - cur.pos) / 2) fail(cur.code, at * 8, 'map length runs past the end');
  const out = Object.create(null) as MsgMap;
  for (let i = 0; i < n; i++) {
    const keyAt = cur.pos;
    const key = readValue(cur, depth + 1);
    if (typeof key !== 'string') fail(cur.code, keyAt * 8, 'map key is not a str');
    if (key in out) fail(cur.code, keyAt * 8, `repeated map key "${key}"`);
    out[key] = readValue(cur, depth + 1);
  }
  return out;
}

/** Strict UTF-8 (RFC 3629): no overlong forms, surrogates or values past U+10FFFF. Null if invalid. */
export function decodeUtf8(buf: Uint8Array, start: number, end: number): string | null {
  let s = '';
  let i = start;
  while (i < end) {
    const b = buf[i]!;
    let cp: number;
    if (b < 0x80) {
      cp = b;
      i += 1;
    } else if (b >= 0xc2 && b <= 0xdf) {
      if (i + 1 >= end) return null;
      const b1 = buf[i + 1]!;
      if ((b1 & 0xc0) !== 0x80) return null;
      cp = ((b & 0x1f) << 6) | (b1 & 0x3f);
      i += 2;
    } else if (b >= 0xe0 && b <= 0xef) {
      if (i + 2 >= end) return null;
      const b1 = buf[i + 1]!, b2 = buf[i + 2]!;
      if ((b1 & 0xc0) !== 0x80 || (b2 & 0xc0) !== 0x80) return null;
      cp = ((b & 0x0f) << 12) | ((b1 & 0x3f) << 6) | (b2 & 0x3f);
      if (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff)) return null;
      i += 3;
    } else if (b >= 0xf0 && b <= 0xf4) {
      if (i + 3 >= end) return null;
      const b1 = buf[i + 1]!, b2 = buf[i + 2]!, b3 = buf[i + 3]!;
      if ((b1 & 0xc0) !== 0x80 || (b2 & 0xc0) !== 0x80 || (b3 & 0xc0) !== 0x80) return null;
      cp = ((b & 0x07) << 18) | ((b1 & 0x3f) << 12) | ((b2 & 0x3f) << 6) | (b3 & 0x3f);
      if (cp < 0x10000 || cp > 0x10ffff) return null;
      i += 4;
    } else {
      return null;
    }
    s += String.fromCodePoint(cp);
  }
  return s;
}

/** UTF-8 bytes of a string; lone surrogates become U+FFFD as in the WHATWG encoder. */
export function encodeUtf8(s: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    let cp = s.charCodeAt(i);
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < s.length) {
      const lo = s.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        i++;
      }
    }
    if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
    if (cp < 0x80) out.push(cp);
    else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
    else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
    else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  }
  return Uint8Array.from(out);
}

interface Sink {
  buf: Uint8Array;
  view: DataView;
  pos: number;
}

/** Makes room for `n` more bytes, doubling the buffer; returns the write offset. */
function reserve(sink: Sink, n: number): number {
  const at = sink.pos;
  if (at + n > sink.buf.length) {
    let size = sink.buf.length * 2;
    while (size < at + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(sink.buf.subarray(0, at));
    sink.buf = next;
    sink.view = new DataView(next.buffer);
  }
  sink.pos = at + n;
  return at;
}

/** Appends one byte. (Reserve first: `reserve` may replace `sink.buf`.) */
function put1(sink: Sink, byte: number): void {
  const p = reserve(sink, 1);
  sink.buf[p] = byte;
}

/** Appends bytes. */
function putBytes(sink: Sink, bytes: Uint8Array): void {
  const p = reserve(sink, bytes.length);
  sink.buf.set(bytes, p);
}

/** Encodes `value` in the shortest MessagePack forms. Throws TypeError on unsupported values. */
export function writeMsgpack(value: MsgInput): Uint8Array {
  const buf = new Uint8Array(256);
  const sink: Sink = { buf, view: new DataView(buf.buffer), pos: 0 };
  writeValue(sink, value, 0);
  return sink.buf.slice(0, sink.pos);
}

/** Writes a type byte followed by a length in 1, 2 or 4 bytes, choosing the shortest of three forms. */
function writeHead(sink: Sink, n: number, t8: number, t16: number, t32: number): void {
  if (n <= 0xff && t8 !== 0) {
    const p = reserve(sink, 2);
    sink.buf[p] = t8;
    sink.buf[p + 1] = n;
  } else if (n <= 0xffff) {
    const p = reserve(sink, 3);
    sink.buf[p] = t16;
    sink.view.setUint16(p + 1, n);
  } else if (n <= 0xffffffff) {
    const p = reserve(sink, 5);
    sink.buf[p] = t32;
    sink.view.setUint32(p + 1, n);
  } else {
    throw new RangeError('msgpack: length beyond 2^32 - 1');
  }
}

function writeValue(sink: Sink, value: MsgInput, depth: number): void {
  if (depth > 64) throw new RangeError('msgpack: value nested too deeply');
  if (value === null) {
    put1(sink, 0xc0);
  } else if (typeof value === 'boolean') {
    put1(sink, value ? 0xc3 : 0xc2);
  } else if (typeof value === 'number') {
    writeNumber(sink, value);
  } else if (typeof value === 'string') {
    const bytes = encodeUtf8(value);
    if (bytes.length <= 31) put1(sink, 0xa0 | bytes.length); // fixstr
    else writeHead(sink, bytes.length, 0xd9, 0xda, 0xdb); // str 8/16/32
    putBytes(sink, bytes);
  } else if (value instanceof Uint8Array) {
    writeHead(sink, value.length, 0xc4, 0xc5, 0xc6); // bin 8/16/32
    putBytes(sink, value);
  } else if (value instanceof MsgFloat) {
    const p = reserve(sink, 9);
    sink.buf[p] = 0xcb; // float 64
    sink.view.setFloat64(p + 1, value.value);
  } else if (Array.isArray(value)) {
    const arr = value as readonly MsgInput[];
    if (arr.length <= 15) put1(sink, 0x90 | arr.length); // fixarray
    else writeHead(sink, arr.length, 0, 0xdc, 0xdd); // array 16/32
    for (const item of arr) writeValue(sink, item, depth + 1);
  } else if (typeof value === 'object') {
    const obj = value as { readonly [key: string]: MsgInput | undefined };
    const keys = Object.keys(obj).filter((k) => obj[k] !== undefined);
    if (keys.length <= 15) put1(sink, 0x80 | keys.length); // fixmap
    else writeHead(sink, keys.length, 0, 0xde, 0xdf); // map 16/32
    for (const k of keys) {
      writeValue(sink, k, depth + 1);
      writeValue(sink, obj[k]!, depth + 1);
    }
  } else {
    throw new TypeError(`msgpack: cannot encode ${typeof value}`);
  }
}

function writeNumber(sink: Sink, x: number): void {
  if (!Number.isSafeInteger(x)) {
    const p = reserve(sink, 9);
    sink.buf[p] = 0xcb; // float 64
    sink.view.setFloat64(p + 1, x);
  } else if (x >= 0) {
    if (x <= 0x7f) put1(sink, x); // positive fixint
    else if (x <= 0xff) { const p = reserve(sink, 2); sink.buf[p] = 0xcc; sink.buf[p + 1] = x; } // uint 8
    else if (x <= 0xffff) { const p = reserve(sink, 3); sink.buf[p] = 0xcd; sink.view.setUint16(p + 1, x); } // uint 16
    else if (x <= 0xffffffff) { const p = reserve(sink, 5); sink.buf[p] = 0xce; sink.view.setUint32(p + 1, x); } // uint 32
    else { // uint 64
      const p = reserve(sink, 9);
      sink.buf[p] = 0xcf;
      sink.view.setUint32(p + 1, Math.floor(x / 0x100000000));
      sink.view.setUint32(p + 5, x >>> 0);
    }
  } else {
    if (x >= -32) put1(sink, x & 0xff); // negative fixint
    else if (x >= -0x80) { const p = reserve(sink, 2); sink.buf[p] = 0xd0; sink.view.setInt8(p + 1, x); } // int 8
    else if (x >= -0x8000) { const p = reserve(sink, 3); sink.buf[p] = 0xd1; sink.view.setInt16(p + 1, x); } // int 16
    else if (x >= -0x80000000) { const p = reserve(sink, 5); sink.buf[p] = 0xd2; sink.view.setInt32(p + 1, x); } // int 32
    else { // int 64
      const p = reserve(sink, 9);
      sink.buf[p] = 0xd3;
      sink.view.setInt32(p + 1, Math.floor(x / 0x100000000));
      sink.view.setUint32(p + 5, x >>> 0);
    }
  }
}

/** True for a decoded map (a plain object that is not an array, bin or float). */
export function isMsgMap(v: MsgValue | undefined): v is MsgMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array) && !(v instanceof MsgFloat);
}

/** The value of a number of either kind (§10.2 floats accept any integer encoding), else undefined. */
export function numberOf(v: MsgValue | undefined): number | undefined {
  if (typeof v === 'number') return v;
  return v instanceof MsgFloat ? v.value : undefined;
}
