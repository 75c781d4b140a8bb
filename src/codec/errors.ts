/**
 * The codec's one error type. Every failure carries a stable code from the table in
 * `spec/FORMAT.md` §9; tests and callers match on `code`, never on the message.
 */

/** Every error code of §9, in the table's order. */
export const ERROR_CODES = [
  'E_EMPTY',
  'E_TOO_LARGE',
  'E_TRUNCATED',
  'E_VERSION',
  'E_RESERVED',
  'E_MODE',
  'E_PROFILE_UNKNOWN',
  'E_PROFILE_HASH',
  'E_EXT_MALFORMED',
  'E_EXT_DUPLICATE',
  'E_EXT_ORDER',
  'E_EXT_CRITICAL',
  'E_TRAILING',
  'E_CHECK',
  'E_INDEX_RANGE',
  'E_PADDING',
  'E_RANGE_CODE',
  'E_NONCANONICAL',
  'E_GRID',
  'E_OVER_BOUND',
  'E_PROFILE_FORMAT',
  'E_PROFILE_DIGEST',
  'E_PROFILE_LIMIT',
  'E_PROFILE_TABLE',
  'E_BATCH_FORMAT',
  'E_BATCH_LIMIT',
] as const;

/** A stable error code from §9. */
export type ErrorCode = (typeof ERROR_CODES)[number];

const MESSAGES: Record<ErrorCode, string> = {
  E_EMPTY: 'empty payload',
  E_TOO_LARGE: 'beyond the absolute size caps (§14)',
  E_TRUNCATED: 'ends inside the header, the extension block, a mode-0 body or a mode-3 body',
  E_VERSION: 'version field is not 1',
  E_RESERVED: 'reserved bit set',
  E_MODE: 'mode 2 with a profile that has no contexts',
  E_PROFILE_UNKNOWN: 'no profile with that id',
  E_PROFILE_HASH: 'profile tag does not match the held profile',
  E_EXT_MALFORMED: 'extension block or entry does not parse, or a known type has a bad length',
  E_EXT_DUPLICATE: 'an extension type repeats',
  E_EXT_ORDER: 'extension types not increasing',
  E_EXT_CRITICAL: 'unknown critical extension type',
  E_TRAILING: 'bytes after a mode-0 or mode-3 body',
  E_CHECK: 'check byte mismatch',
  E_INDEX_RANGE: 'mode-0 index out of range',
  E_PADDING: 'mode-0 or mode-3 padding bit set',
  E_RANGE_CODE: 'range decoder found a value outside the coded range',
  E_NONCANONICAL: 'range-coded body is not the canonical termination, or mode-3 body not in the canonical final state',
  E_GRID: 'grid has the wrong length or an index out of range',
  E_OVER_BOUND: "payload would exceed the profile's maxBytes",
  E_PROFILE_FORMAT: 'profile is not MessagePack, or a field is missing or of the wrong type',
  E_PROFILE_DIGEST: 'profile SHA-256 does not match its bytes',
  E_PROFILE_LIMIT: 'profile value beyond the limits of §14',
  E_PROFILE_TABLE: 'invalid frequency table, or context tables, planes or map that do not fit together',
  E_BATCH_FORMAT: 'batch envelope does not parse, or a field is missing, mistyped or duplicated',
  E_BATCH_LIMIT: 'batch has too many items or too long ids',
};

/**
 * A codec failure. `code` is the spec's stable string; `bitPos` is the bit position in the input
 * where the failure was detected (MSB-first, §0), or -1 where no position applies.
 */
export class FacevqError extends Error {
  readonly code: ErrorCode;
  readonly bitPos: number;

  constructor(code: ErrorCode, bitPos = -1, detail?: string) {
    const where = bitPos >= 0 ? ` at bit ${bitPos}` : '';
    super(`${code}: ${MESSAGES[code]}${where}${detail !== undefined ? ` (${detail})` : ''}`);
    this.name = 'FacevqError';
    this.code = code;
    this.bitPos = bitPos;
  }
}

/** Throws a {@link FacevqError}; the one way the codec fails. */
export function fail(code: ErrorCode, bitPos = -1, detail?: string): never {
  throw new FacevqError(code, bitPos, detail);
}

/** True when `e` is a {@link FacevqError}, optionally with the given code. */
export function isFacevqError(e: unknown, code?: ErrorCode): e is FacevqError {
  return e instanceof FacevqError && (code === undefined || e.code === code);
}
