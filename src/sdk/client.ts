/**
 * `MatcherClient`: a typed client for every route of the matcher service (`src/worker/app.ts`,
 * served description at `GET /v1/openapi.json`). Built on `fetch`, so it runs in Node, browsers,
 * Workers and React Native. Failures are {@link MatcherError}s carrying the service's stable codes.
 *
 * Retries: reads (GET), deletes and the read-only POSTs (identify, verify, embed) are idempotent and
 * retried after network errors, timeouts, 408, 429 (honouring `Retry-After`) and 5xx, with
 * exponential backoff and jitter. Enroll is never retried: a retry after a lost answer would add the
 * same embeddings twice.
 */
import { BATCH_MEDIA_TYPE, encodeBatch, MEDIA_TYPE, ProfileSet, signCapture, type BatchItem, type Profile, type SignOptions } from '../codec/index.js';
import type { ProfileDescription } from '../worker/profiles.js';
import type { GalleryInfo, SubjectInfo } from '../worker/store/types.js';
import { MatcherError, send, type MatcherErrorCode, type TransportOptions, type TransportRequest } from './_transport.js';

export { backoffDelay, MatcherError, type MatcherErrorCode, type TransportErrorCode } from './_transport.js';
export type { GalleryInfo, ProfileDescription, SubjectInfo };

/** Options for {@link MatcherClient}. */
export interface MatcherClientOptions {
  /** The service's base URL, e.g. `https://matcher.example.com`. */
  baseUrl: string;
  /** An API key (`fvq_...`), sent as `Authorization: Bearer`. */
  apiKey?: string;
  /** Per-attempt timeout in milliseconds. @default 10000 */
  timeoutMs?: number;
  /** Retries of idempotent calls after the first attempt. @default 3 */
  retries?: number;
  /** First backoff in milliseconds; doubles each retry, with jitter. @default 200 */
  backoffMs?: number;
  /** Longest backoff. @default 5000 */
  maxBackoffMs?: number;
  /** The fetch to use (a test shim, a proxying fetch). @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Extra headers on every request. */
  headers?: Record<string, string>;
  /**
   * Signs each identify and verify payload with a device key (spec §13) just before each attempt,
   * so a retry carries a fresh capture time and tag rather than a replay the service refuses
   * (`E_REPLAY`). Make one with {@link deviceSigner}.
   */
  signer?: PayloadSigner;
}

/** Turns a payload into its signed form; called once per attempt. */
export type PayloadSigner = (payload: Uint8Array) => Promise<Uint8Array>;

/**
 * A {@link PayloadSigner} for a device key: signs with `signCapture` (key id, the time of the
 * attempt, a random 4-byte nonce so two attempts in one second differ, an 8-byte tag unless
 * `sign.tagLength` says otherwise) under the payload's profile, decoded with `profiles` (by its
 * profile id, §2.2). Over HTTP no radio frame bounds the size: the payload may take up to the
 * spec's 1024 bytes unless `sign.maxBytes` says less.
 *
 * @example
 * ```ts
 * const client = new MatcherClient({ baseUrl, apiKey, signer: deviceSigner([profile], { keyId: Uint8Array.of(1), key }) });
 * ```
 */
export function deviceSigner(profiles: readonly Profile[], sign: Omit<SignOptions, 'time' | 'nonce'>): PayloadSigner {
  const set = new ProfileSet(profiles);
  return (payload) => signCapture(payload, set, { maxBytes: 1024, ...sign, nonce: crypto.getRandomValues(new Uint8Array(4)) });
}

/** Per-call options. */
export interface CallOptions {
  /** Aborts the call (and its retries). */
  signal?: AbortSignal;
}

/** How a decision threshold is chosen: a calibrated false-accept rate, or a raw cosine. */
export interface DecisionOptions extends CallOptions {
  /** 1e-2, 1e-3 or 1e-4: the profile's calibrated threshold for that rate. @default 1e-3 (service side) */
  far?: 0.01 | 0.001 | 0.0001;
  /** A raw cosine threshold instead of `far`. */
  threshold?: number;
}

/** Options of {@link MatcherClient.identify}. */
export interface IdentifyOptions extends DecisionOptions {
  /** How many candidates. @default 5 (service side) */
  k?: number;
  /** `i8` scans the int8 copy and rescores its shortlist in f32. @default 'f32' */
  precision?: 'f32' | 'i8';
}

/** A batch item that was not enrolled. */
export interface RejectedItem {
  id: string;
  code: MatcherErrorCode;
  message: string;
}

/** What an enrollment did. */
export interface EnrollResult {
  gallery: string;
  subject: SubjectInfo;
  /** The profile's name. */
  profile: string;
  /** Embeddings added. */
  added: number;
  /** Batch items that failed (the rest were enrolled). */
  rejected: RejectedItem[];
  /** True when the subject was created (HTTP 201). */
  created: boolean;
}

/** One candidate of an identification. */
export interface Candidate {
  subject: string;
  score: number;
  match: boolean;
}

/** An identification: candidates best first, and the decision. */
export interface IdentifyResult {
  gallery: string;
  profile: string;
  threshold: number;
  far: number | null;
  /** The best candidate when it reaches the threshold. */
  match: { subject: string; score: number } | null;
  candidates: Candidate[];
}

/** A verification. */
export interface VerifyResult {
  gallery: string;
  subject: string;
  profile: string;
  score: number;
  threshold: number;
  far: number | null;
  match: boolean;
}

/** A payload's embedding. */
export interface Embedding {
  profile: string;
  profileSha256: string;
  mode: number;
  /** Decoded extensions: times as numbers, byte strings as hex. */
  extensions: Record<string, unknown>;
  dim: number;
  embedding: number[];
}

/** One item of a batch embedding: its embedding, or why it failed. */
export type EmbedItemResult = ({ id: string } & Embedding) | { id: string; error: { code: MatcherErrorCode; message: string } };

/** One page of subjects. */
export interface SubjectPage {
  gallery: string;
  subjects: SubjectInfo[];
  /** Pass as `cursor` for the next page; null on the last. */
  nextCursor: string | null;
}

/** The service's liveness answer. */
export interface Health {
  ok: boolean;
  profiles: string[];
}

/** Payloads for a batch: plain payloads get ids "0", "1", ... */
export type PayloadBatch = readonly Uint8Array[] | readonly BatchItem[];

const seg = (s: string) => encodeURIComponent(s);

function query(params: Record<string, string | number | undefined>): string {
  const entries = Object.entries(params).filter((e): e is [string, string | number] => e[1] !== undefined);
  return entries.length === 0 ? '' : '?' + entries.map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`).join('&');
}

function batchItems(payloads: PayloadBatch): BatchItem[] {
  return payloads.map((p, i) => (p instanceof Uint8Array ? { id: String(i), payload: p } : p));
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A client for the matcher service.
 *
 * @example
 * ```ts
 * const client = new MatcherClient({ baseUrl: 'https://matcher.example.com', apiKey: 'fvq_...' });
 * await client.enroll('staff', 'alice', payload);
 * const { match } = await client.identify('staff', probe);
 * ```
 */
export class MatcherClient {
  private readonly base: string;
  private readonly headers: Record<string, string>;
  private readonly transport: TransportOptions;
  private readonly signer: PayloadSigner | undefined;

  /**
   * @param options where the service is, the key, timeouts and retries
   * @param testing for tests only: the jitter source and the sleep between retries
   */
  constructor(options: MatcherClientOptions, testing?: { random?: () => number; sleep?: (ms: number) => Promise<void> }) {
    this.base = options.baseUrl.replace(/\/+$/, '');
    this.signer = options.signer;
    this.headers = { accept: 'application/json', ...options.headers, ...(options.apiKey && { authorization: `Bearer ${options.apiKey}` }) };
    const f = options.fetch ?? globalThis.fetch;
    if (typeof f !== 'function') throw new TypeError('MatcherClient: no fetch here; pass options.fetch');
    this.transport = {
      fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
      timeoutMs: options.timeoutMs ?? 10_000,
      retries: options.retries ?? 3,
      backoffMs: options.backoffMs ?? 200,
      maxBackoffMs: options.maxBackoffMs ?? 5_000,
      random: testing?.random ?? Math.random,
      sleep: testing?.sleep ?? realSleep,
    };
  }

  /** `GET /healthz`: liveness and the profile names (no key needed). */
  healthz(options: CallOptions = {}): Promise<Health> {
    return this.json('GET', '/healthz', true, options);
  }

  /** `GET /v1/profiles`: the profiles the service decodes. */
  async profiles(options: CallOptions = {}): Promise<ProfileDescription[]> {
    return (await this.json<{ profiles: ProfileDescription[] }>('GET', '/v1/profiles', true, options)).profiles;
  }

  /** `POST /v1/embed`: one payload's embedding. */
  embed(payload: Uint8Array, options: CallOptions = {}): Promise<Embedding> {
    return this.json('POST', '/v1/embed', true, options, payload, MEDIA_TYPE);
  }

  /** `POST /v1/embed` with a batch: each item's embedding or error, in order. */
  async embedMany(payloads: PayloadBatch, options: CallOptions = {}): Promise<EmbedItemResult[]> {
    const body = encodeBatch(batchItems(payloads));
    return (await this.json<{ items: EmbedItemResult[] }>('POST', '/v1/embed', true, options, body, BATCH_MEDIA_TYPE)).items;
  }

  /**
   * `POST /v1/galleries/{gallery}/subjects/{subject}/enroll`: one payload raw, several in the batch
   * envelope (§11). The first enrollment creates the gallery, bound to the payload's profile.
   * Never retried.
   */
  async enroll(gallery: string, subject: string, payloads: Uint8Array | PayloadBatch, options: CallOptions = {}): Promise<EnrollResult> {
    const single = payloads instanceof Uint8Array;
    const body = single ? payloads : encodeBatch(batchItems(payloads));
    const response = await this.request('POST', `/v1/galleries/${seg(gallery)}/subjects/${seg(subject)}/enroll`, false, options, body, single ? MEDIA_TYPE : BATCH_MEDIA_TYPE);
    const result = (await response.json()) as Omit<EnrollResult, 'created'>;
    return { ...result, created: response.status === 201 };
  }

  /** `POST /v1/galleries/{gallery}/identify`: the top-k subjects for a payload, with a decision. */
  identify(gallery: string, payload: Uint8Array, options: IdentifyOptions = {}): Promise<IdentifyResult> {
    const q = query({ k: options.k, far: options.far, threshold: options.threshold, precision: options.precision });
    return this.json('POST', `/v1/galleries/${seg(gallery)}/identify${q}`, true, options, this.signed(payload), MEDIA_TYPE);
  }

  /** `POST /v1/galleries/{gallery}/subjects/{subject}/verify`: a payload against one subject. */
  verify(gallery: string, subject: string, payload: Uint8Array, options: DecisionOptions = {}): Promise<VerifyResult> {
    const q = query({ far: options.far, threshold: options.threshold });
    return this.json('POST', `/v1/galleries/${seg(gallery)}/subjects/${seg(subject)}/verify${q}`, true, options, this.signed(payload), MEDIA_TYPE);
  }

  /** `GET /v1/galleries/{gallery}`: the gallery's profile, size and creation time. */
  gallery(gallery: string, options: CallOptions = {}): Promise<GalleryInfo> {
    return this.json('GET', `/v1/galleries/${seg(gallery)}`, true, options);
  }

  /** `GET /v1/galleries/{gallery}/subjects`: one page of subjects, in id order. */
  listSubjects(gallery: string, options: CallOptions & { limit?: number; cursor?: string } = {}): Promise<SubjectPage> {
    const q = query({ limit: options.limit, cursor: options.cursor });
    return this.json('GET', `/v1/galleries/${seg(gallery)}/subjects${q}`, true, options);
  }

  /** Every subject of a gallery, page after page. */
  async *subjects(gallery: string, options: CallOptions & { pageSize?: number } = {}): AsyncGenerator<SubjectInfo> {
    let cursor: string | undefined;
    do {
      const page = await this.listSubjects(gallery, { ...options, ...(options.pageSize && { limit: options.pageSize }), ...(cursor !== undefined && { cursor }) });
      yield* page.subjects;
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
  }

  /** `DELETE /v1/galleries/{gallery}/subjects/{subject}`: erases the subject and its embeddings. */
  async deleteSubject(gallery: string, subject: string, options: CallOptions = {}): Promise<void> {
    await this.request('DELETE', `/v1/galleries/${seg(gallery)}/subjects/${seg(subject)}`, true, options);
  }

  /** `DELETE /v1/galleries/{gallery}`: erases the gallery and everything in it. */
  async deleteGallery(gallery: string, options: CallOptions = {}): Promise<void> {
    await this.request('DELETE', `/v1/galleries/${seg(gallery)}`, true, options);
  }

  /** The payload as sent: signed anew on each attempt when the client has a signer. */
  private signed(payload: Uint8Array): Uint8Array | (() => Promise<Uint8Array>) {
    const signer = this.signer;
    return signer ? () => signer(payload) : payload;
  }

  private async json<T>(method: 'GET' | 'POST' | 'DELETE', path: string, idempotent: boolean, options: CallOptions, body?: TransportRequest['body'], type?: string): Promise<T> {
    const response = await this.request(method, path, idempotent, options, body, type);
    try {
      return (await response.json()) as T;
    } catch (cause) {
      throw new MatcherError(response.status, 'E_HTTP', `${method} ${path}: the answer is not JSON`, { cause });
    }
  }

  private request(method: 'GET' | 'POST' | 'DELETE', path: string, idempotent: boolean, options: CallOptions, body?: TransportRequest['body'], type?: string): Promise<Response> {
    return send({
      method,
      url: this.base + path,
      headers: type ? { ...this.headers, 'content-type': type } : this.headers,
      idempotent,
      ...(body && { body }),
      ...(options.signal && { signal: options.signal }),
    }, this.transport);
  }
}
