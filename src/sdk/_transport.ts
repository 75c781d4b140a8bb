/**
 * The HTTP transport under `MatcherClient`: fetch with a per-attempt timeout, the caller's abort
 * signal, and retries with exponential backoff and jitter for idempotent requests only. Runs
 * wherever `fetch` and `AbortController` exist (Node 18+, browsers, Workers, React Native).
 */
import type { ErrorCode } from '../codec/index.js';
import type { ApiErrorCode } from '../worker/errors.js';

/** Codes of failures that happen before the service answers. */
export type TransportErrorCode =
  /** fetch failed: DNS, connection refused or reset, TLS. */
  | 'E_NETWORK'
  /** No answer within the timeout. */
  | 'E_TIMEOUT'
  /** The caller's signal aborted the call. */
  | 'E_ABORTED'
  /** The service answered with a status and a body that is not its JSON error. */
  | 'E_HTTP';

/** Every code a {@link MatcherError} may carry: the service's, the codec's (§9) and the transport's. */
export type MatcherErrorCode = ApiErrorCode | ErrorCode | TransportErrorCode;

/** A failed call. `status` is the HTTP status, or 0 when the service never answered. */
export class MatcherError extends Error {
  readonly status: number;
  readonly code: MatcherErrorCode;
  /** Seconds the service asked to wait (`Retry-After`), when it did. */
  readonly retryAfter: number | undefined;

  constructor(status: number, code: MatcherErrorCode, message: string, options?: { retryAfter?: number; cause?: unknown }) {
    super(`${code}${status ? ` (HTTP ${status})` : ''}: ${message}`, options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = 'MatcherError';
    this.status = status;
    this.code = code;
    this.retryAfter = options?.retryAfter;
  }
}

/** Retry and timeout settings. */
export interface TransportOptions {
  fetch: typeof fetch;
  /** Per attempt. */
  timeoutMs: number;
  /** Retries after the first attempt, for idempotent requests. */
  retries: number;
  /** First backoff; doubles each retry. */
  backoffMs: number;
  maxBackoffMs: number;
  /** Uniform [0, 1): the jitter source. */
  random: () => number;
  sleep: (ms: number) => Promise<void>;
}

/** One request. */
export interface TransportRequest {
  method: 'GET' | 'POST' | 'DELETE';
  url: string;
  headers: Record<string, string>;
  /** The body, or a function making it anew for each attempt (a signed payload: fresh time and tag). */
  body?: Uint8Array | (() => Promise<Uint8Array>);
  /** May this request be sent again after a failure without changing the outcome? */
  idempotent: boolean;
  signal?: AbortSignal;
}

/** Statuses worth another try: the request may succeed unchanged later. */
const RETRY_STATUS = new Set([408, 429, 500, 502, 503, 504]);

/**
 * The wait before retry `attempt` (0-based): "equal jitter" over an exponential ceiling, so waits
 * spread out but never collapse to zero; a longer `Retry-After` wins.
 */
export function backoffDelay(attempt: number, options: Pick<TransportOptions, 'backoffMs' | 'maxBackoffMs' | 'random'>, retryAfter?: number): number {
  const ceiling = Math.min(options.maxBackoffMs, options.backoffMs * 2 ** attempt);
  const jittered = ceiling / 2 + (options.random() * ceiling) / 2;
  return retryAfter !== undefined ? Math.max(jittered, retryAfter * 1000) : jittered;
}

function parseRetryAfter(value: string | null): number | undefined {
  if (value === null) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - Date.now()) / 1000);
}

/** The service's error body, or an `E_HTTP` error for anything else. */
async function errorOf(response: Response): Promise<MatcherError> {
  const retryAfter = parseRetryAfter(response.headers.get('retry-after'));
  const text = await response.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    if (typeof body.error?.code === 'string') {
      const message = typeof body.error.message === 'string' ? body.error.message : body.error.code;
      return new MatcherError(response.status, body.error.code as MatcherErrorCode, message, retryAfter !== undefined ? { retryAfter } : undefined);
    }
  } catch {
    // not JSON: fall through
  }
  return new MatcherError(response.status, 'E_HTTP', text.slice(0, 200) || response.statusText || 'no body', retryAfter !== undefined ? { retryAfter } : undefined);
}

/** One attempt: fetch under a timeout that also follows the caller's signal. */
async function attempt(req: TransportRequest, options: TransportOptions): Promise<Response> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => { timedOut = true; controller.abort(); }, options.timeoutMs);
  const onAbort = () => controller.abort();
  req.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (req.signal?.aborted) throw new MatcherError(0, 'E_ABORTED', 'aborted by the caller');
    const init: RequestInit = { method: req.method, headers: req.headers, signal: controller.signal };
    const body = typeof req.body === 'function' ? await req.body() : req.body;
    if (body) init.body = body.slice(); // a fresh ArrayBuffer-backed copy: a valid BodyInit everywhere
    return await options.fetch(req.url, init);
  } catch (cause) {
    if (cause instanceof MatcherError) throw cause;
    if (req.signal?.aborted) throw new MatcherError(0, 'E_ABORTED', 'aborted by the caller', { cause });
    if (timedOut) throw new MatcherError(0, 'E_TIMEOUT', `no answer from ${req.method} ${req.url} within ${options.timeoutMs} ms`, { cause });
    throw new MatcherError(0, 'E_NETWORK', `${req.method} ${req.url}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  } finally {
    clearTimeout(timer);
    req.signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * Sends `req`, retrying idempotent requests after network errors, timeouts and the statuses of
 * {@link RETRY_STATUS}. Resolves with a 2xx response; anything else becomes a {@link MatcherError}.
 */
export async function send(req: TransportRequest, options: TransportOptions): Promise<Response> {
  const tries = req.idempotent ? options.retries + 1 : 1;
  for (let i = 0; ; i++) {
    let error: MatcherError;
    try {
      const response = await attempt(req, options);
      if (response.ok) return response;
      error = await errorOf(response);
      if (!RETRY_STATUS.has(response.status)) throw error;
    } catch (e) {
      if (!(e instanceof MatcherError) || e.code === 'E_ABORTED' || (e.status !== 0 && !RETRY_STATUS.has(e.status))) throw e;
      error = e;
    }
    if (i + 1 >= tries) throw error;
    await options.sleep(backoffDelay(i, options, error.retryAfter));
    if (req.signal?.aborted) throw new MatcherError(0, 'E_ABORTED', 'aborted by the caller');
  }
}
