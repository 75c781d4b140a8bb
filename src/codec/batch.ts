/**
 * The batch envelope (§11): a MessagePack map `{ v: 1, items: [{ id, payload }, ...] }` carrying
 * many payloads, each with an id unique in the batch. Each payload is decoded on its own later;
 * the envelope only checks its own structure and sizes.
 */

import { fail } from './errors.js';
import { readMsgpack, writeMsgpack, isMsgMap, encodeUtf8 } from './_msgpack.js';
import { LIMITS } from './profile.js';

/** One item of a batch. */
export interface BatchItem {
  /** 1..128 bytes of UTF-8, unique in the batch. */
  id: string;
  /** 1..1024 bytes: one payload (§2). */
  payload: Uint8Array;
}

/**
 * Checks one item (§11): id and payload types and sizes. Empty ids and payloads are
 * E_BATCH_FORMAT; an id over 128 bytes E_BATCH_LIMIT; a payload over 1024 bytes E_TOO_LARGE.
 */
function checkItem(id: unknown, payload: unknown, i: number, ids: Set<string>): void {
  if (typeof id !== 'string') fail('E_BATCH_FORMAT', -1, `items[${i}].id: expected str`);
  if (!(payload instanceof Uint8Array)) fail('E_BATCH_FORMAT', -1, `items[${i}].payload: expected bin`);
  const idBytes = encodeUtf8(id).length;
  if (idBytes === 0) fail('E_BATCH_FORMAT', -1, `items[${i}].id: empty`);
  if (idBytes > LIMITS.batchIdBytes) fail('E_BATCH_LIMIT', -1, `items[${i}].id: ${idBytes} bytes`);
  if (payload.length === 0) fail('E_BATCH_FORMAT', -1, `items[${i}].payload: empty`);
  if (payload.length > LIMITS.payloadBytes) fail('E_TOO_LARGE', -1, `items[${i}].payload: ${payload.length} bytes`);
  if (ids.has(id)) fail('E_BATCH_FORMAT', -1, `items[${i}].id: "${id}" repeats`);
  ids.add(id);
}

function checkCount(n: number): void {
  if (n === 0) fail('E_BATCH_FORMAT', -1, 'items: empty');
  if (n > LIMITS.batchItems) fail('E_BATCH_LIMIT', -1, `${n} items, at most ${LIMITS.batchItems}`);
}

/** Encodes a batch (§11); fails with the codes {@link decodeBatch} would give the result. */
export function encodeBatch(items: readonly BatchItem[]): Uint8Array {
  checkCount(items.length);
  const ids = new Set<string>();
  items.forEach((item, i) => checkItem(item.id, item.payload, i, ids));
  return writeMsgpack({ v: 1, items: items.map((item) => ({ id: item.id, payload: item.payload })) });
}

/**
 * Decodes a batch envelope (§11). Fails with `E_BATCH_FORMAT` (not MessagePack, a field missing,
 * mistyped or repeated, `v` not 1, no items, an empty id or payload), `E_BATCH_LIMIT` (over 1000
 * items or an id over 128 bytes) or `E_TOO_LARGE` (a payload over 1024 bytes). Unknown keys are
 * ignored. Payloads are views into `bytes`.
 */
export function decodeBatch(bytes: Uint8Array): BatchItem[] {
  const root = readMsgpack(bytes, { errorCode: 'E_BATCH_FORMAT' });
  if (!isMsgMap(root)) fail('E_BATCH_FORMAT', 0, 'expected a map');
  if (root.v !== 1) fail('E_BATCH_FORMAT', -1, 'v: expected 1');
  const items = root.items;
  if (!Array.isArray(items)) fail('E_BATCH_FORMAT', -1, 'items: expected array');
  checkCount(items.length);
  const ids = new Set<string>();
  return items.map((item, i) => {
    if (!isMsgMap(item)) fail('E_BATCH_FORMAT', -1, `items[${i}]: expected map`);
    checkItem(item.id, item.payload, i, ids);
    return { id: item.id as string, payload: item.payload as Uint8Array };
  });
}
