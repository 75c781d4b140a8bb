/**
 * Request bodies: the media type decides between one payload (`application/vnd.facevq`, or
 * `application/octet-stream`) and a batch envelope (`application/vnd.facevq.batch+msgpack`,
 * §11, §12); bodies are read with a byte limit enforced while streaming, so a lying or absent
 * `Content-Length` cannot make the service buffer more than the limit.
 */
import { BATCH_MEDIA_TYPE, decodeBatch, MEDIA_TYPE, type BatchItem } from '../codec/index.js';
import { imageFormat } from '../sdk/image-format.js';
import { reject } from './errors.js';

/**
 * `E_BODY_TOO_LARGE`; when the body's first bytes are an image's signature (a photo posted where
 * its payload belongs, the usual cause), the message says so.
 */
function tooLarge(detail: string, head: Uint8Array | undefined): never {
  const format = head && imageFormat(head);
  const hint = format ? `; the body is a ${format.toUpperCase()} image: post the face's payload (.fvq, from \`facevq encode\` or the SDK), not the photo` : '';
  return reject('E_BODY_TOO_LARGE', detail + hint);
}

/** The first bytes of a body that will not be read whole, for {@link tooLarge}'s hint. */
async function peek(req: Request): Promise<Uint8Array | undefined> {
  if (!req.body) return undefined;
  const reader = req.body.getReader();
  try {
    return (await reader.read()).value;
  } catch {
    return undefined;
  } finally {
    void reader.cancel().catch(() => undefined);
  }
}

/** Media types accepted for one payload. */
export const SINGLE_TYPES = [MEDIA_TYPE, 'application/octet-stream'] as const;

/** A request's payloads. */
export type Payloads = { kind: 'single'; payload: Uint8Array } | { kind: 'batch'; items: BatchItem[] };

/** The media type of a request without parameters, lowercased. */
export function mediaType(req: Request): string {
  return (req.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
}

/**
 * Reads at most `max` bytes of body; `E_BODY_TOO_LARGE` beyond. With a `Content-Length` within
 * the limit the body is read whole (the HTTP layer of both runtimes holds a body to its declared
 * length, and @hono/node-server reads it without building a web stream: measured ~3× cheaper);
 * without one, it is streamed and cut off at the limit.
 */
export async function readLimited(req: Request, max: number): Promise<Uint8Array> {
  const header = req.headers.get('content-length');
  const declared = header === null ? NaN : Number(header);
  if (declared > max) tooLarge(`body of ${declared} bytes exceeds the limit of ${max}`, await peek(req));
  if (declared >= 0) {
    const whole = new Uint8Array(await req.arrayBuffer());
    if (whole.byteLength > max) tooLarge(`body exceeds the limit of ${max} bytes`, whole);
    return whole;
  }
  if (!req.body) return new Uint8Array(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      tooLarge(`body exceeds the limit of ${max} bytes`, chunks[0] ?? value);
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/** Size limits for bodies. */
export interface BodyLimits {
  /** Largest single-payload body: the spec's payload cap (§14). */
  single: number;
  /** Largest batch body. */
  batch: number;
}

/**
 * Reads the body as one payload or, when `allowBatch`, a batch; `E_UNSUPPORTED_MEDIA_TYPE` for
 * other media types, the codec's `E_BATCH_*` / `E_TOO_LARGE` for a bad envelope.
 */
export async function readPayloads(req: Request, limits: BodyLimits, allowBatch: boolean): Promise<Payloads> {
  const type = mediaType(req);
  if ((SINGLE_TYPES as readonly string[]).includes(type)) {
    return { kind: 'single', payload: await readLimited(req, limits.single) };
  }
  if (allowBatch && type === BATCH_MEDIA_TYPE) {
    return { kind: 'batch', items: decodeBatch(await readLimited(req, limits.batch)) };
  }
  const accepted = [...SINGLE_TYPES, ...(allowBatch ? [BATCH_MEDIA_TYPE] : [])].join(', ');
  return reject('E_UNSUPPORTED_MEDIA_TYPE', `expected ${accepted}; got ${type === '' ? 'no Content-Type' : type}`);
}

/** Reads the body as exactly one payload (identify, verify). */
export async function readPayload(req: Request, limits: BodyLimits): Promise<Uint8Array> {
  const body = await readPayloads(req, limits, false);
  return body.kind === 'single' ? body.payload : reject('E_UNSUPPORTED_MEDIA_TYPE', 'expected one payload');
}
