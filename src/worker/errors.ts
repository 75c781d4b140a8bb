/**
 * The service's one error type and the one table from error codes to HTTP status. Codes are stable
 * strings: the codec's (`spec/FORMAT.md` §9) and the service's own (`SERVICE_CODES`). Responses
 * carry `{ error: { code, message } }`; clients match on `code`, never on the message.
 */
import { ERROR_CODES, type ErrorCode } from '../codec/errors.js';

/** The service's own codes and their HTTP status. */
export const SERVICE_CODES = {
  E_BAD_REQUEST: 400,
  E_UNAUTHORIZED: 401,
  E_UNSIGNED: 401,
  E_AUTH_TAG: 401,
  E_STALE: 401,
  E_FORBIDDEN: 403,
  E_NOT_FOUND: 404,
  E_METHOD_NOT_ALLOWED: 405,
  E_REQUEST_TIMEOUT: 408,
  E_PROFILE_MISMATCH: 409,
  E_SUBJECT_FULL: 409,
  E_GALLERY_FULL: 409,
  E_REPLAY: 409,
  E_BODY_TOO_LARGE: 413,
  E_UNSUPPORTED_MEDIA_TYPE: 415,
  E_RATE_LIMITED: 429,
  E_INTERNAL: 500,
} as const;

/** A service error code. */
export type ServiceCode = keyof typeof SERVICE_CODES;

/** Any code a response may carry. */
export type ApiErrorCode = ServiceCode | ErrorCode;

/**
 * HTTP status of a codec code: a payload or batch that does not decode is 422 (the request was
 * well-formed HTTP, its content is not), except a malformed envelope (400) and sizes beyond the
 * spec's caps (413).
 */
const CODEC_STATUS: Partial<Record<ErrorCode, number>> = {
  E_TOO_LARGE: 413,
  E_BATCH_FORMAT: 400,
  E_BATCH_LIMIT: 413,
};

/** The HTTP status for any code. */
export function statusOf(code: ApiErrorCode): number {
  if (code in SERVICE_CODES) return SERVICE_CODES[code as ServiceCode];
  return CODEC_STATUS[code as ErrorCode] ?? 422;
}

/** Every code with its status, for the README and OpenAPI tables. */
export function errorTable(): { code: ApiErrorCode; status: number }[] {
  const codes: ApiErrorCode[] = [...(Object.keys(SERVICE_CODES) as ServiceCode[]), ...ERROR_CODES];
  return codes.map((code) => ({ code, status: statusOf(code) }));
}

/** A failure with a stable code; `onError` turns it into its JSON response. */
export class ServiceError extends Error {
  readonly code: ApiErrorCode;
  /** Extra response headers (e.g. `Retry-After`). */
  readonly headers: Record<string, string>;

  constructor(code: ApiErrorCode, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = 'ServiceError';
    this.code = code;
    this.headers = headers;
  }

  /** The HTTP status of this error's code. */
  get status(): number {
    return statusOf(this.code);
  }
}

/** Throws a {@link ServiceError}. */
export function reject(code: ApiErrorCode, message: string, headers?: Record<string, string>): never {
  throw new ServiceError(code, message, headers);
}

/** The JSON body of an error response. */
export interface ErrorBody {
  error: { code: ApiErrorCode; message: string };
}

/** Longest piece of client input an error message repeats. */
export const QUOTE_MAX = 64;

/**
 * Client input as an error message shows it: JSON-quoted and cut to {@link QUOTE_MAX}
 * characters, saying how long it was, so a 5,000-character name is not echoed back whole.
 */
export function quoted(input: string | null | undefined): string {
  if (input === null || input === undefined) return String(input);
  if (input.length <= QUOTE_MAX) return JSON.stringify(input);
  return `${JSON.stringify(input.slice(0, QUOTE_MAX))}... (${input.length} characters)`;
}
