/**
 * The embedding head of §10.4, computed faster than the direct form for the service's hot path,
 * with the same result (tested against the codec's `embedGrid` to 1e-5).
 *
 * Read me first: the head's input `x` concatenates, in grid order, the codebook vectors of the
 * grid's indices, so a first `dense` layer is a sum over grid positions n of
 * `W[:, cols(n)] · codebook_g[index_n]`. Each term depends only on (n, index_n): the codec's
 * `foldFirstDense` tabulates `T[n][i] = W[:, cols(n)] · codebook_g[i]` once per profile (we copy
 * it into the kernels' memory), and the layer becomes
 * `bias + Σ_n T[n][index_n]`, i.e. H·W·G row additions instead of a full matrix-vector product
 * (for a 1024 → 256 layer with 64 positions: 16k additions instead of 262k multiply-adds).
 * Row additions and later dense layers run on the SIMD kernels of `match/` when given the
 * module (f32 arithmetic; the codec uses f64, the results agree far inside the spec's 1e-4).
 * Tables cost `Σ_n K_g(n) · out` floats; beyond `maxTableFloats` we fall back to `embedGrid`.
 */
import { embedGrid, foldFirstDense, type HeadLayer, type Profile } from '../codec/index.js';
import { createKernels, type Kernels } from './match/kernels.js';

/** Options of {@link Embedder}. */
export interface EmbedderOptions {
  /** The compiled `scan.wasm` for SIMD arithmetic; plain JS when absent. */
  wasm?: WebAssembly.Module | null;
  /** Largest table, in floats, before falling back to the direct head. @default 8 Mi (32 MiB) */
  maxTableFloats?: number;
}

type Dense = Extract<HeadLayer, { op: 'dense' }>;

/** Byte offsets of the embedder's regions in its kernels' buffer. */
interface Layout {
  table: number;
  /** Weights of each later dense layer, by layer index. */
  weights: Map<number, number>;
  x: number;
  y: number;
  rows: number;
  end: number;
}

/** Embeds grids of one profile. */
export class Embedder {
  readonly profile: Profile;
  /** True when the first layer runs from lookup tables. */
  readonly tabulated: boolean;
  private readonly kernels: Kernels;
  /** Start (in floats) of position n's block of rows in the table. */
  private readonly blockOf: Int32Array;
  private readonly at: Layout;

  constructor(profile: Profile, options: EmbedderOptions = {}) {
    this.profile = profile;
    const folded = foldFirstDense(profile, options.maxTableFloats ?? 8 * 1024 * 1024);
    this.tabulated = folded !== null;
    this.blockOf = folded?.base ?? new Int32Array(profile.gridLength);
    this.kernels = createKernels(folded ? options.wasm : null);
    this.at = this.layout(folded?.table.length ?? 0);
    this.kernels.reserve(this.at.end);
    if (folded) this.load(folded.table);
  }

  private layout(tableFloats: number): Layout {
    const align16 = (n: number) => (n + 15) & ~15;
    let at = align16(tableFloats * 4);
    const weights = new Map<number, number>();
    let width = 0;
    this.profile.head.layers.forEach((l, i) => {
      if (l.op !== 'dense') return;
      width = Math.max(width, l.out);
      if (i === 0) return;
      weights.set(i, at);
      at = align16(at + l.weight.length * 4);
    });
    const x = at, y = align16(x + width * 4), rows = align16(y + width * 4);
    return { table: 0, weights, x, y, rows, end: rows + this.blockOf.length * 4 };
  }

  /** Copies the folded first layer (`foldFirstDense`) and the later dense weights into the kernels' memory. */
  private load(table: Float32Array): void {
    const buffer = this.kernels.buffer();
    new Float32Array(buffer, this.at.table, table.length).set(table);
    for (const [i, offset] of this.at.weights) {
      const weight = (this.profile.head.layers[i] as Dense).weight;
      new Float32Array(buffer, offset, weight.length).set(weight);
    }
  }

  /** True when `grid` fits the profile (otherwise `embedGrid` reports the error). */
  private validGrid(grid: Uint16Array): boolean {
    if (grid.length !== this.blockOf.length) return false;
    const planes = this.profile.planes;
    for (let n = 0; n < grid.length; n++) if (grid[n]! >= planes[n % planes.length]!.k) return false;
    return true;
  }

  /**
   * The embedding of `grid` (`profile.head.dim` floats); the same as `embedGrid(grid, profile)`,
   * including its `E_GRID` failure for a wrong length or index.
   */
  embed(grid: Uint16Array): Float32Array {
    if (!this.tabulated || !this.validGrid(grid)) return embedGrid(grid, this.profile);
    const layers = this.profile.head.layers;
    const first = layers[0] as Dense;
    const { kernels, at } = this;
    const buffer = kernels.buffer();
    const rows = new Int32Array(buffer, at.rows, grid.length);
    for (let n = 0; n < grid.length; n++) rows[n] = at.table + (this.blockOf[n]! + grid[n]! * first.out) * 4;
    let [x, y] = [at.x, at.y];
    new Float32Array(buffer, x, first.out).set(first.bias);
    kernels.accum(buffer, x, at.rows, grid.length, first.out);
    let size = first.out;
    for (let i = 1; i < layers.length; i++) {
      const layer = layers[i]!;
      const v = new Float32Array(buffer, x, size);
      if (layer.op === 'dense') {
        kernels.f32(buffer, at.weights.get(i)!, x, layer.out, layer.in, y);
        const w = new Float32Array(buffer, y, layer.out);
        for (let o = 0; o < layer.out; o++) w[o] = w[o]! + layer.bias[o]!;
        [x, y] = [y, x];
        size = layer.out;
      } else if (layer.op === 'relu' || layer.op === 'prelu') {
        for (let o = 0; o < size; o++) if (v[o]! < 0) v[o] = layer.op === 'relu' ? 0 : layer.alpha[o]! * v[o]!;
      } else {
        let ss = 0;
        for (let o = 0; o < size; o++) ss += v[o]! * v[o]!;
        const inv = 1 / Math.max(Math.sqrt(ss), 1e-12);
        for (let o = 0; o < size; o++) v[o] = v[o]! * inv;
      }
    }
    return new Float32Array(buffer, x, size).slice();
  }
}
