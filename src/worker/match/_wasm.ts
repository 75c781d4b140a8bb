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
 */

// Opcodes (WebAssembly core spec §5.4 and the fixed-width SIMD proposal).
const BLOCK = 0x02, LOOP = 0x03, END = 0x0b, BR_IF = 0x0d, VOID = 0x40;
const LOCAL_GET = 0x20, LOCAL_SET = 0x21, LOCAL_TEE = 0x22;
const I32_CONST = 0x41, I32_EQZ = 0x45, I32_LT_U = 0x49, I32_ADD = 0x6a, I32_SUB = 0x6b;
const I32_LOAD = 0x28, F32_LOAD = 0x2a, F32_STORE = 0x38, F32_ADD = 0x92, F32_MUL = 0x94, F32_CONVERT_I32_S = 0xb2;
const I32 = 0x7f, V128 = 0x7b;
const SIMD = 0xfd;
const V128_LOAD = 0x00, V128_LOAD8X8_S = 0x01, V128_STORE = 0x0b, V128_CONST = 0x0c;
const I32X4_EXTRACT_LANE = 0x1b, F32X4_EXTRACT_LANE = 0x1f;
const I32X4_ADD = 0xae, I32X4_DOT_I16X8_S = 0xba, F32X4_ADD = 0xe4, F32X4_MUL = 0xe6;

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

/**
 * scoresI8(mat, q, n, qEnd, out, scales): out[r] = float(Σ_i mat[r·dim + i] · q[i]) · scales[r],
 * mat int8, q int16, qEnd = q + 2·dim. Locals: 6 pq, 7 acc0, 8 acc1.
 */
function scoresI8Body(): number[] {
  const [MAT, Q, N, QEND, OUT, SCALES, PQ, A0, A1] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const dotAdd = (acc: number, matOffset: number, qOffset: number): number[] => [
    ...get(acc), ...get(MAT), ...simd(V128_LOAD8X8_S, 3, ...uleb(matOffset)), ...vload(PQ, qOffset),
    ...simd(I32X4_DOT_I16X8_S), ...simd(I32X4_ADD), ...set(acc),
  ];
  const lanes = [0, 1, 2, 3].flatMap((lane) => [...get(A0), ...simd(I32X4_EXTRACT_LANE, lane), ...(lane ? [I32_ADD] : [])]);
  return [
    2, 1, I32, 2, V128,
    BLOCK, VOID, ...get(N), I32_EQZ, BR_IF, 0,
    LOOP, VOID,
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
    END, END, END,
  ];
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

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

/** The module's bytes: memory export `memory`, functions `f32`, `i8` and `accum`. */
export function buildScanWasm(): Uint8Array<ArrayBuffer> {
  const f32Type = [0x60, 5, I32, I32, I32, I32, I32, 0];
  const i8Type = [0x60, 6, I32, I32, I32, I32, I32, I32, 0];
  const accumType = [0x60, 4, I32, I32, I32, I32, 0];
  const bodies = [scoresF32Body(), scoresI8Body(), accumBody()];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [3, ...f32Type, ...i8Type, ...accumType]), // types
    ...section(3, [3, 0, 1, 2]), // functions
    ...section(5, [1, 0x00, 1]), // memory: min 1 page, no max
    ...section(7, [4, ...vec('memory'), 0x02, 0, ...vec('f32'), 0x00, 0, ...vec('i8'), 0x00, 1, ...vec('accum'), 0x00, 2]), // exports
    ...section(10, [3, ...bodies.flatMap((b) => [...uleb(b.length), ...b])]), // code
  ]);
}
