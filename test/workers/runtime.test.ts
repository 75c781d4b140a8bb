/** What the Workers runtime allows: the SIMD scan comes from the bundled module, not from bytes. */
import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import scanWasm from '../../src/worker/match/scan.wasm';
import { compileScanModule } from '../../src/worker/match/kernels.js';
import { EmbeddingMatrix } from '../../src/worker/match/matrix.js';
import { DurableObjectStore } from '../../src/worker/store/durable.js';
import { randomUnitVectors } from '../../src/worker/match/synthetic.js';

describe('workerd runtime', () => {
  it('refuses to compile WebAssembly from bytes, so the bundled scan.wasm is used', () => {
    expect(compileScanModule()).toBeNull();
    expect(scanWasm).toBeInstanceOf(WebAssembly.Module);
    expect(new EmbeddingMatrix(128, { wasm: scanWasm }).kernelKind).toBe('wasm-simd');
  });

  it('scans with SIMD inside the gallery object', async () => {
    const store = new DurableObjectStore(env.GALLERIES);
    const ref = { tenant: 'rt', gallery: 'simd' };
    const v = randomUnitVectors(2, 128, 9);
    await store.enroll(ref, 'a', { sha256: '00'.repeat(32), name: 'x' }, [v.slice(0, 128)]);
    const stub = env.GALLERIES.get(env.GALLERIES.idFromName('rt/simd'));
    const kinds = await runInDurableObject(stub, (instance) => {
      const inner = (instance as unknown as { store: { loaded: Map<string, { matrix: EmbeddingMatrix }> } }).store;
      return [...inner.loaded.values()].map((g) => g.matrix.kernelKind);
    });
    expect(kinds).toEqual(['wasm-simd']);
  });
});
