/**
 * The SIMD scan kernels as a WebAssembly module, assembled here byte by byte so the repository
 * needs no WebAssembly toolchain. `scan.wasm` beside this file is this function's output
 * (a test checks they agree); Workers import that file, since they may not compile WebAssembly
 * from bytes at run time, while Node compiles these bytes directly.
 *
 * Read me first:
 * - Both kernels write one score per row to `out` and walk the matrix with a pointer that never
 *   resets, since rows are contiguous.
 * - `dim` must be a multiple of 16: the f32 kernel takes 16 floats (4 × f32x4) per step and the
 *   int8 kernel 16 bytes (2 × i8x8 widened to i16x8). Callers fall back to plain JS otherwise.
 * - int8: `q` holds the quantised query widened to i16, `scales` one f32 per row; the output is
 *   `float(Σ row[i]·q[i]) · scale[row]`. |Σ| ≤ 127·127·dim fits an i32 for dim < 133,000.
 * - `f32` is also a dense layer (`y = W·x`, W row-major) and `accum` sums table rows for the
 *   embedding head (`embedder.ts`); `accum` needs a row length that is a multiple of 4.
 * - `heap` is the hot loop of the top-k selection (`topk.ts`, `matrix.ts`).
 */

// Opcodes (WebAssembly core spec §5.4 and the fixed-width SIMD proposal).
const BLOCK = 0x02, LOOP = 0x03, IF = 0x04, ELSE = 0x05, END = 0x0b, BR = 0x0c, BR_IF = 0x0d, RETURN = 0x0f, VOID = 0x40;
const LOCAL_GET = 0x20, LOCAL_SET = 0x21, LOCAL_TEE = 0x22;
const I32_CONST = 0x41, I32_EQZ = 0x45, I32_LT_U = 0x49, I32_GT_S = 0x4a, I32_GE_U = 0x4f, F32_EQ = 0x5b, F32_LT = 0x5d, F32_GT = 0x5e;
const I32_ADD = 0x6a, I32_SUB = 0x6b, I32_AND = 0x71, I32_OR = 0x72, I32_SHL = 0x74, I32_SHR_U = 0x76;
const I32_LOAD = 0x28, F32_LOAD = 0x2a, I32_STORE = 0x36, F32_STORE = 0x38, F32_ADD = 0x92, F32_MUL = 0x94, F32_CONVERT_I32_S = 0xb2;
const I32 = 0x7f, F32 = 0x7d, V128 = 0x7b;
const SIMD = 0xfd;
const V128_LOAD = 0x00, V128_LOAD8X8_S = 0x01, V128_STORE = 0x0b, V128_CONST = 0x0c, I8X16_SHUFFLE = 0x0d;
const F32X4_SPLAT = 0x13, I32X4_EXTRACT_LANE = 0x1b, F32X4_EXTRACT_LANE = 0x1f, F32X4_GT = 0x44, V128_ANY_TRUE = 0x53;
const I32X4_ADD = 0xae, I32X4_DOT_I16X8_S = 0xba, F32X4_ADD = 0xe4, F32X4_MUL = 0xe6, F32X4_CONVERT_I32X4_S = 0xfa;

/** Unsigned LEB128. */
function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 for small constants. */
function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) return [...out, byte];
    out.push(byte | 0x80);
  }
}

const simd = (op: number, ...imm: number[]): number[] => [SIMD, ...uleb(op), ...imm];
const get = (i: number): number[] => [LOCAL_GET, i];
const set = (i: number): number[] => [LOCAL_SET, i];
const tee = (i: number): number[] => [LOCAL_TEE, i];
const i32c = (n: number): number[] => [I32_CONST, ...sleb(n)];
/** `local[p] += step` */
const bump = (p: number, step: number): number[] => [...get(p), ...i32c(step), I32_ADD, ...set(p)];
const vload = (p: number, offset: number): number[] => [...get(p), ...simd(V128_LOAD, 4, ...uleb(offset))];
const vzero = (): number[] => simd(V128_CONST, ...new Array<number>(16).fill(0));
const vec = (name: string): number[] => [...uleb(name.length), ...[...name].map((ch) => ch.charCodeAt(0))];

/**
 * scoresF32(mat, q, n, qEnd, out): out[r] = Σ_i mat[r·dim + i] · q[i] for r < n, where
 * qEnd = q + 4·dim. Locals: 5 pq, 6 acc0, 7 acc1.
 */
function scoresF32Body(): number[] {
  const [MAT, Q, N, QEND, OUT, PQ, A0, A1] = [0, 1, 2, 3, 4, 5, 6, 7];
  const mulAdd = (acc: number, offset: number): number[] =>
    [...get(acc), ...vload(MAT, offset), ...vload(PQ, offset), ...simd(F32X4_MUL), ...simd(F32X4_ADD), ...set(acc)];
  const lanes = [0, 1, 2, 3].flatMap((lane) => [...get(A0), ...simd(F32X4_EXTRACT_LANE, lane), ...(lane ? [F32_ADD] : [])]);
  return [
    2, 1, I32, 2, V128, // locals: 1 × i32 (pq), 2 × v128
    BLOCK, VOID, ...get(N), I32_EQZ, BR_IF, 0,
    LOOP, VOID, // rows
    ...vzero(), ...set(A0), ...vzero(), ...set(A1), ...get(Q), ...set(PQ),
    LOOP, VOID, // 16 columns per step
    ...mulAdd(A0, 0), ...mulAdd(A1, 16), ...mulAdd(A0, 32), ...mulAdd(A1, 48),
    ...bump(MAT, 64), ...bump(PQ, 64),
    ...get(PQ), ...get(QEND), I32_LT_U, BR_IF, 0,
    END,
    ...get(OUT), ...get(A0), ...get(A1), ...simd(F32X4_ADD), ...set(A0), ...lanes, F32_STORE, 2, 0,
    ...bump(OUT, 4),
    ...get(N), ...i32c(1), I32_SUB, ...tee(N), BR_IF, 0,
    END, END, END,
  ];
}

/** i8x16.shuffle picking i32 lanes `lanes` (0-3: first operand, 4-7: second). */
const shuffle32 = (...lanes: number[]): number[] => simd(I8X16_SHUFFLE, ...lanes.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3]));

/**
 * scoresI8(mat, q, n, qEnd, out, scales): out[r] = float(Σ_i mat[r·dim + i] · q[i]) · scales[r],
 * mat int8, q int16, qEnd = q + 2·dim.
 *
 * Rows go four at a time: each 16-column step loads the query once for four rows, and the four
 * i32x4 sums are reduced together by a transpose (four shuffles and adds per block instead of
 * twelve lane extractions), then converted, scaled and stored as one f32x4. The last n mod 4
 * rows take the one-row loop. Measured 1.5× faster than one row at a time at dim 128.
 * Locals: 6 pq, 7 p (row 0 of the block), 8 t, 9 dim, 10 2·dim, 11 3·dim; v128: 12-15 acc of
 * rows 0-3, 16 query columns 0-7, 17 query columns 8-15.
 */
function scoresI8Body(): number[] {
  const [MAT, Q, N, QEND, OUT, SCALES, PQ, P, T, D, D2, D3] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
  const [A0, A1, A2, A3, QL, QH] = [12, 13, 14, 15, 16, 17];
  /** acc += dot(16 int8 at address, query) where the address is p + (stride local, if any). */
  const rowStep = (acc: number, stride: number | null): number[] => [
    ...get(acc),
    ...get(P), ...(stride === null ? [] : [...get(stride), I32_ADD]), ...tee(T),
    ...simd(V128_LOAD8X8_S, 3, 0), ...get(QL), ...simd(I32X4_DOT_I16X8_S),
    ...get(T), ...simd(V128_LOAD8X8_S, 3, 8), ...get(QH), ...simd(I32X4_DOT_I16X8_S),
    ...simd(I32X4_ADD), ...simd(I32X4_ADD), ...set(acc),
  ];
  /** Half a transpose: [a0+a2, b0+b2, a1+a3, b1+b3] from the i32x4 sums in locals a and b. */
  const pairSums = (a: number, b: number): number[] => [
    ...get(a), ...get(b), ...shuffle32(0, 4, 1, 5), ...get(a), ...get(b), ...shuffle32(2, 6, 3, 7), ...simd(I32X4_ADD),
  ];
  const blocks = [
    ...get(QEND), ...get(Q), I32_SUB, ...i32c(1), I32_SHR_U, ...tee(D), ...get(D), I32_ADD, ...tee(D2), ...get(D), I32_ADD, ...set(D3),
    BLOCK, VOID, ...get(N), ...i32c(4), I32_LT_U, BR_IF, 0,
    LOOP, VOID, // blocks of four rows
    ...[A0, A1, A2, A3].flatMap((a) => [...vzero(), ...set(a)]), ...get(Q), ...set(PQ), ...get(MAT), ...set(P),
    LOOP, VOID, // 16 columns of four rows per step
    ...vload(PQ, 0), ...set(QL), ...vload(PQ, 16), ...set(QH),
    ...rowStep(A0, null), ...rowStep(A1, D), ...rowStep(A2, D2), ...rowStep(A3, D3),
    ...bump(P, 16), ...bump(PQ, 32),
    ...get(PQ), ...get(QEND), I32_LT_U, BR_IF, 0,
    END,
    ...get(OUT), ...pairSums(A0, A1), ...pairSums(A2, A3), ...set(A1), ...set(A0),
    ...get(A0), ...get(A1), ...shuffle32(0, 1, 4, 5), ...get(A0), ...get(A1), ...shuffle32(2, 3, 6, 7), ...simd(I32X4_ADD),
    ...simd(F32X4_CONVERT_I32X4_S), ...vload(SCALES, 0), ...simd(F32X4_MUL), ...simd(V128_STORE, 4, 0),
    ...get(P), ...get(D3), I32_ADD, ...set(MAT), // p is one row past the block's start
    ...bump(OUT, 16), ...bump(SCALES, 16),
    ...get(N), ...i32c(4), I32_SUB, ...tee(N), ...i32c(4), I32_GE_U, BR_IF, 0,
    END, END,
  ];
  const dotAdd = (acc: number, matOffset: number, qOffset: number): number[] => [
    ...get(acc), ...get(MAT), ...simd(V128_LOAD8X8_S, 3, ...uleb(matOffset)), ...vload(PQ, qOffset),
    ...simd(I32X4_DOT_I16X8_S), ...simd(I32X4_ADD), ...set(acc),
  ];
  const lanes = [0, 1, 2, 3].flatMap((lane) => [...get(A0), ...simd(I32X4_EXTRACT_LANE, lane), ...(lane ? [I32_ADD] : [])]);
  const rest = [
    BLOCK, VOID, ...get(N), I32_EQZ, BR_IF, 0,
    LOOP, VOID, // one row
    ...vzero(), ...set(A0), ...vzero(), ...set(A1), ...get(Q), ...set(PQ),
    LOOP, VOID,
    ...dotAdd(A0, 0, 0), ...dotAdd(A1, 8, 16),
    ...bump(MAT, 16), ...bump(PQ, 32),
    ...get(PQ), ...get(QEND), I32_LT_U, BR_IF, 0,
    END,
    ...get(OUT), ...get(A0), ...get(A1), ...simd(I32X4_ADD), ...set(A0), ...lanes, F32_CONVERT_I32_S,
    ...get(SCALES), F32_LOAD, 2, 0, F32_MUL, F32_STORE, 2, 0,
    ...bump(OUT, 4), ...bump(SCALES, 4),
    ...get(N), ...i32c(1), I32_SUB, ...tee(N), BR_IF, 0,
    END, END,
  ];
  return [2, 6, I32, 6, V128, ...blocks, ...rest, END];
}

/**
 * accum(dst, rows, count, dstEnd): dst[0..) += Σ_j f32 row at byte address rows[j], for each of
 * the `count` i32 addresses at `rows`; dstEnd = dst + 4·length. Locals: 4 p, 5 d.
 */
function accumBody(): number[] {
  const [DST, ROWS, COUNT, DEND, P, D] = [0, 1, 2, 3, 4, 5];
  return [
    1, 2, I32, // locals: 2 × i32
    BLOCK, VOID, ...get(COUNT), I32_EQZ, BR_IF, 0,
    LOOP, VOID, // rows
    ...get(ROWS), I32_LOAD, 2, 0, ...set(P), ...get(DST), ...set(D),
    LOOP, VOID, // 4 floats per step
    ...get(D), ...vload(D, 0), ...vload(P, 0), ...simd(F32X4_ADD), ...simd(V128_STORE, 4, 0),
    ...bump(D, 16), ...bump(P, 16),
    ...get(D), ...get(DEND), I32_LT_U, BR_IF, 0,
    END,
    ...bump(ROWS, 4),
    ...get(COUNT), ...i32c(1), I32_SUB, ...tee(COUNT), BR_IF, 0,
    END, END, END,
  ];
}

/**
 * heap(scores, n, size, rows, top): offers rows size..n-1 of an f32 score array to a min-heap of
 * `size` entries (i32 `rows`, f32 `top`) that already holds rows 0..size-1: a row enters when it
 * beats the root, the weakest of the best so far, and sifts down. The JS twin is `topk.ts`'s
 * `offerRest`, and `topk.ts` fills and orders the heap. Every row offered has a higher index than
 * the rows in the heap, so it ties to the weaker side and needs a strict compare only; siblings
 * compare by score, then the higher row is the weaker. Four scores are compared with the root at
 * once and a step is looked at score by score only when one beats it.
 * Locals: 5 p, 6 end of the four-score steps, 7 end, 8 limit of a score-by-score run, 9 i and
 * 10 child (byte offsets into the heap), 11 4·size, 12 the row at p; f32: 13 its score.
 */
function heapBody(): number[] {
  const [SCORES, N, SIZE, ROWS, TOP, P, VEND, END_, LIM, I, C, K4, R, S] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13];
  /** Loads a heap entry's score or row (`load`) from `base` + local `at` + `extra` bytes. */
  const slot = (base: number, at: number, load: number, extra = 0): number[] => [...get(base), ...get(at), I32_ADD, load, 2, extra];
  const move = (from: number, to: number): number[] => [
    ...get(TOP), ...get(to), I32_ADD, ...slot(TOP, from, F32_LOAD), F32_STORE, 2, 0,
    ...get(ROWS), ...get(to), I32_ADD, ...slot(ROWS, from, I32_LOAD), I32_STORE, 2, 0,
  ];
  const siftDown = [
    ...i32c(0), ...set(I),
    BLOCK, VOID, LOOP, VOID,
    ...get(I), ...i32c(1), I32_SHL, ...i32c(4), I32_ADD, ...tee(C), ...get(K4), I32_GE_U, BR_IF, 1,
    // the weaker child: the right one when it has the lower score, or the same score and the higher row
    ...get(C), ...i32c(4), I32_ADD, ...get(K4), I32_LT_U,
    IF, VOID,
    ...slot(TOP, C, F32_LOAD, 4), ...slot(TOP, C, F32_LOAD), F32_LT,
    ...slot(TOP, C, F32_LOAD, 4), ...slot(TOP, C, F32_LOAD), F32_EQ, ...slot(ROWS, C, I32_LOAD, 4), ...slot(ROWS, C, I32_LOAD), I32_GT_S, I32_AND,
    I32_OR, IF, VOID, ...bump(C, 4), END,
    END,
    ...slot(TOP, C, F32_LOAD), ...get(S), F32_LT, I32_EQZ, BR_IF, 1, // the child is not weaker: done
    ...move(C, I), ...get(C), ...set(I),
    BR, 0,
    END, END,
    ...get(TOP), ...get(I), I32_ADD, ...get(S), F32_STORE, 2, 0,
    ...get(ROWS), ...get(I), I32_ADD, ...get(R), I32_STORE, 2, 0,
  ];
  /** Score by score from p up to the address in local `lim`. */
  const oneByOne = (lim: number): number[] => [
    BLOCK, VOID, ...get(P), ...get(lim), I32_GE_U, BR_IF, 0,
    LOOP, VOID,
    ...get(P), F32_LOAD, 2, 0, ...tee(S), ...get(TOP), F32_LOAD, 2, 0, F32_GT,
    IF, VOID, ...get(P), ...get(SCORES), I32_SUB, ...i32c(2), I32_SHR_U, ...set(R), ...siftDown, END,
    ...bump(P, 4),
    ...get(P), ...get(lim), I32_LT_U, BR_IF, 0,
    END, END,
  ];
  return [
    2, 8, I32, 1, F32,
    ...get(SIZE), I32_EQZ, IF, VOID, RETURN, END, // an empty heap takes nothing (and has no root to read)
    ...get(SIZE), ...i32c(2), I32_SHL, ...tee(K4), ...get(SCORES), I32_ADD, ...tee(P),
    ...get(N), ...get(SIZE), I32_SUB, ...i32c(-4), I32_AND, ...i32c(2), I32_SHL, I32_ADD, ...set(VEND),
    ...get(SCORES), ...get(N), ...i32c(2), I32_SHL, I32_ADD, ...set(END_),
    BLOCK, VOID, ...get(P), ...get(VEND), I32_GE_U, BR_IF, 0,
    LOOP, VOID, // four scores per step
    ...vload(P, 0), ...get(TOP), F32_LOAD, 2, 0, ...simd(F32X4_SPLAT), ...simd(F32X4_GT), ...simd(V128_ANY_TRUE),
    IF, VOID, ...get(P), ...i32c(16), I32_ADD, ...set(LIM), ...oneByOne(LIM),
    ELSE, ...bump(P, 16), END,
    ...get(P), ...get(VEND), I32_LT_U, BR_IF, 0,
    END, END,
    ...oneByOne(END_),
    END,
  ];
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

/** The module's bytes: memory export `memory`, functions `f32`, `i8`, `accum` and `heap`. */
export function buildScanWasm(): Uint8Array<ArrayBuffer> {
  const f32Type = [0x60, 5, I32, I32, I32, I32, I32, 0];
  const i8Type = [0x60, 6, I32, I32, I32, I32, I32, I32, 0];
  const accumType = [0x60, 4, I32, I32, I32, I32, 0];
  const heapType = [0x60, 5, I32, I32, I32, I32, I32, 0];
  const bodies = [scoresF32Body(), scoresI8Body(), accumBody(), heapBody()];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [4, ...f32Type, ...i8Type, ...accumType, ...heapType]), // types
    ...section(3, [4, 0, 1, 2, 3]), // functions
    ...section(5, [1, 0x00, 1]), // memory: min 1 page, no max
    ...section(7, [5, ...vec('memory'), 0x02, 0, ...vec('f32'), 0x00, 0, ...vec('i8'), 0x00, 1, ...vec('accum'), 0x00, 2, ...vec('heap'), 0x00, 3]), // exports
    ...section(10, [4, ...bodies.flatMap((b) => [...uleb(b.length), ...b])]), // code
  ]);
}
