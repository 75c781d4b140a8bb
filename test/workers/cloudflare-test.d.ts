/** The parts of `cloudflare:test` these tests use (full types: @cloudflare/vitest-pool-workers/types). */
declare module 'cloudflare:test' {
  import type { DurableObjectNamespace, DurableObjectState } from 'cloudflare:workers';
  import type { GalleryObject, GalleryObjectStub } from '../../src/worker/store/durable.js';

  export const env: { GALLERIES: DurableObjectNamespace<GalleryObjectStub>; FACEVQ_KEYS: string };
  export const SELF: { fetch(input: string | Request, init?: RequestInit): Promise<Response> };
  export function runInDurableObject<R>(stub: GalleryObjectStub, callback: (instance: GalleryObject, state: DurableObjectState) => R | Promise<R>): Promise<R>;
  export function abortAllDurableObjects(): Promise<void>;
}
