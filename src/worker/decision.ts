/**
 * Query options of identify and verify: the decision threshold (a false-accept rate the profile
 * is calibrated for, or a raw cosine threshold), k and the scan precision.
 */
import type { Profile } from '../codec/index.js';
import { quoted, reject } from './errors.js';
import type { Precision } from './match/matrix.js';

/** False-accept rates with a calibrated threshold in every profile (§10.2 `thresholds`). */
export const FARS = { '1e-2': 'far1e2', '1e-3': 'far1e3', '1e-4': 'far1e4' } as const;

/** The threshold a decision uses, and the FAR it stands for (null for a raw threshold). */
export interface Threshold {
  threshold: number;
  far: number | null;
}

/**
 * Resolves `far` (1e-2, 1e-3 or 1e-4, in any spelling of those numbers; default 1e-3) or a raw
 * `threshold` (a cosine in [-1, 1]) against the profile. Both at once is `E_BAD_REQUEST`.
 */
export function resolveThreshold(profile: Profile, far: string | undefined, threshold: string | undefined): Threshold {
  if (far !== undefined && threshold !== undefined) reject('E_BAD_REQUEST', 'give either far or threshold, not both');
  if (threshold !== undefined) {
    const t = /^-?[0-9]+(\.[0-9]+)?$/.test(threshold) ? Number(threshold) : NaN; // decimal only, as counts
    if (!(t >= -1 && t <= 1)) reject('E_BAD_REQUEST', `threshold must be a decimal number in [-1, 1], got ${quoted(threshold)}`);
    return { threshold: t, far: null };
  }
  const value = far === undefined ? 1e-3 : Number(far);
  const entry = Object.entries(FARS).find(([k]) => Number(k) === value);
  if (!entry) reject('E_BAD_REQUEST', `far must be one of ${Object.keys(FARS).join(', ')}, got ${quoted(far)}`);
  return { threshold: profile.thresholds[entry[1]], far: value };
}

/**
 * A count from the query, written as plain decimal digits (`Number` alone would also take `0x10`,
 * `1e2` or ` 7`): an integer in 1..max, or `fallback` when absent.
 */
function parseCount(name: string, raw: string | undefined, fallback: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = /^[1-9][0-9]{0,8}$/.test(raw) ? Number(raw) : NaN;
  if (!(n <= max)) reject('E_BAD_REQUEST', `${name} must be an integer in 1..${max} in decimal digits, got ${quoted(raw)}`);
  return n;
}

/** `k` from the query: an integer in 1..max, default 5. */
export function parseK(raw: string | undefined, max: number): number {
  return parseCount('k', raw, Math.min(5, max), max);
}

/** `precision` from the query: `f32`, `i8` or `auto`. */
export function parsePrecision(raw: string | undefined, fallback: Precision): Precision {
  if (raw === undefined) return fallback;
  if (raw !== 'f32' && raw !== 'i8' && raw !== 'auto') reject('E_BAD_REQUEST', `precision must be f32, i8 or auto, got ${quoted(raw)}`);
  return raw;
}

/** A page size from the query: an integer in 1..max, default `fallback`. */
export function parseLimit(raw: string | undefined, fallback: number, max: number): number {
  return parseCount('limit', raw, fallback, max);
}
