/**
 * The conformance line protocol (spec/CONFORMANCE.md): one JSON request per line on the
 * implementation's stdin, one JSON answer per line on its stdout. These types are the protocol;
 * the helpers convert between its JSON forms and the codec's.
 */

import type { Extensions } from '../codec/index.js';

/** Extensions as JSON (§4): bytes as lowercase hex, unknown types in increasing type order. */
export interface ExtensionsJson {
  captureTime?: number;
  nonce?: string;
  keyId?: string;
  authTag?: string;
  unknown?: { type: number; value: string }[];
}

/** `profile` names one profile file, or several that the decoder holds together. */
export type ProfileRef = string | string[];

export type Request =
  | { op: 'decode'; profile: ProfileRef; hex: string }
  | { op: 'encode'; profile: string; grid: number[]; mode: 0 | 1 | 2 | 3 | 'auto'; contexts?: boolean; fast?: boolean; extensions?: ExtensionsJson }
  | { op: 'profile'; hex: string }
  | { op: 'batch'; profile: ProfileRef; hex: string };

/** A failure answer: `error` is a code of §9, or `"unsupported"` for an op the adapter lacks. */
export interface ErrorAnswer {
  ok: false;
  error: string;
}

export interface DecodeAnswer {
  ok: true;
  mode: number;
  grid: number[];
  extensions?: ExtensionsJson;
}

export type BatchItemAnswer = ({ id: string } & DecodeAnswer) | { id: string; ok: false; error: string };

export type Answer =
  | ErrorAnswer
  | DecodeAnswer
  | { ok: true; hex: string }
  | { ok: true; id: number; name?: string; sha256: string }
  | { ok: true; items: BatchItemAnswer[] };

/** The answer of an implementation that does not offer an op; the runner counts it as skipped. */
export const UNSUPPORTED = 'unsupported';

export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

/** Bytes of a hex string; a RangeError for odd length or a non-hex digit. */
export function fromHex(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw new RangeError(`not a hex string: ${hex.slice(0, 40)}`);
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** The JSON form of decoded or requested extensions; absent fields stay absent. */
export function extensionsToJson(ext: Extensions): ExtensionsJson {
  const out: ExtensionsJson = {};
  if (ext.captureTime !== undefined) out.captureTime = ext.captureTime;
  if (ext.nonce !== undefined) out.nonce = toHex(ext.nonce);
  if (ext.keyId !== undefined) out.keyId = toHex(ext.keyId);
  if (ext.authTag !== undefined) out.authTag = toHex(ext.authTag);
  if (ext.unknown !== undefined && ext.unknown.length > 0) {
    out.unknown = ext.unknown.map((u) => ({ type: u.type, value: toHex(u.value) }));
  }
  return out;
}

export function extensionsFromJson(json: ExtensionsJson | undefined): Extensions | undefined {
  if (json === undefined) return undefined;
  const out: Extensions = {};
  if (json.captureTime !== undefined) out.captureTime = json.captureTime;
  if (json.nonce !== undefined) out.nonce = fromHex(json.nonce);
  if (json.keyId !== undefined) out.keyId = fromHex(json.keyId);
  if (json.authTag !== undefined) out.authTag = fromHex(json.authTag);
  if (json.unknown !== undefined) out.unknown = json.unknown.map((u) => ({ type: u.type, value: fromHex(u.value) }));
  return out;
}

/**
 * A canonical string of extensions for comparison: hex lowercased, unknown entries sorted by type,
 * an empty `unknown` list the same as none.
 */
export function extensionsKey(json: ExtensionsJson | undefined): string {
  const e = json ?? {};
  const unknown = [...(e.unknown ?? [])]
    .map((u) => ({ type: u.type, value: String(u.value).toLowerCase() }))
    .sort((a, b) => a.type - b.type);
  return JSON.stringify([
    e.captureTime ?? null,
    e.nonce?.toLowerCase() ?? null,
    e.keyId?.toLowerCase() ?? null,
    e.authTag?.toLowerCase() ?? null,
    unknown,
  ]);
}
