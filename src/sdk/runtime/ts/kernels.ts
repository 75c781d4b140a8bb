/**
 * The plain-TypeScript runtime's kernels: 2-D convolution (ONNX `Conv`, any group, stride and pads,
 * dilation 1), `Relu`, `Add` and `Mul`, over one sample in CHW layout.
 *
 * Read me first:
 * - Convolution is direct (no im2col). The input is first copied into a zero-padded scratch plane,
 *   so the inner loops test no image edges. Sums accumulate in float64 (locals or a Float64Array)
 *   and are rounded to float32 once, on the way out; onnxruntime accumulates in float32 in its own
 *   order, so latents agree to about 1e-6, not bit for bit.
 * - Three paths: pointwise (1x1, stride 1, no pads, one group: the bulk of the encoder's MACs) in
 *   4x4 register blocks; depthwise 3x3 with its weights in locals; everything else (the stem, any
 *   other group or kernel) through a general loop. The last two read the padded copy.
 * - Every buffer is allocated by the caller, once per compiled graph (graph.ts); kernels allocate
 *   nothing.
 */

/** The shape of one convolution, per sample. */
export interface ConvShape {
  cin: number;
  hin: number;
  win: number;
  cout: number;
  hout: number;
  wout: number;
  kh: number;
  kw: number;
  strideH: number;
  strideW: number;
  padTop: number;
  padLeft: number;
  padBottom: number;
  padRight: number;
  group: number;
}

/** Scratch space a convolution needs: a padded input (all channels) and a Float64 accumulator. */
export interface ConvScratch {
  padded: Float32Array;
  acc: Float64Array;
}

/** Elements of scratch space {@link conv2d} needs for `s`: [padded, acc]. */
export function convScratchSize(s: ConvShape): [number, number] {
  if (isPointwise(s)) return [0, 0];
  return [s.cin * (s.hin + s.padTop + s.padBottom) * (s.win + s.padLeft + s.padRight), s.hout * s.wout];
}

/** True for the 1x1, stride-1, unpadded, single-group case. */
export function isPointwise(s: ConvShape): boolean {
  return s.kh === 1 && s.kw === 1 && s.strideH === 1 && s.strideW === 1 && s.group === 1 &&
    s.padTop === 0 && s.padLeft === 0 && s.padBottom === 0 && s.padRight === 0;
}

/**
 * The weight layout {@link conv2d} wants, made once per graph: pointwise weights transposed to
 * [cin][cout] (so the inner loop reads four output channels' weights side by side), others as
 * ONNX stores them, [cout][cin/group][kh][kw].
 */
export function packWeights(s: ConvShape, weight: Float32Array): Float32Array {
  if (!isPointwise(s)) return weight;
  const packed = new Float32Array(weight.length);
  for (let co = 0; co < s.cout; co++) for (let ci = 0; ci < s.cin; ci++) packed[ci * s.cout + co] = weight[co * s.cin + ci]!;
  return packed;
}

/**
 * out = conv(input, weight) + bias, optionally followed by ReLU. `weight` comes from
 * {@link packWeights}; `input` and `out` are CHW for one sample, starting at their offsets.
 */
export function conv2d(
  input: Float32Array, inOff: number,
  weight: Float32Array, bias: Float32Array | undefined,
  out: Float32Array, outOff: number,
  s: ConvShape, scratch: ConvScratch, relu: boolean,
): void {
  if (isPointwise(s)) {
    pointwise(input, inOff, weight, bias, out, outOff, s.cin, s.cout, s.hout * s.wout, relu);
    return;
  }
  padInput(input, inOff, s, scratch.padded);
  if (s.group === s.cin && s.cout === s.cin && s.kh === 3 && s.kw === 3) depthwise3x3(scratch.padded, weight, bias, out, outOff, s, relu);
  else general(scratch.padded, weight, bias, out, outOff, s, scratch.acc, relu);
}

/**
 * 1x1 convolution, out[co][p] = bias[co] + sum_ci w[ci][co] * in[ci][p], in register blocks of
 * four output channels by four pixels: eight loads feed sixteen multiply-adds, and the sums stay in
 * locals (twice the speed of a per-row saxpy through an accumulator array, measured in Node 20).
 */
function pointwise(
  input: Float32Array, inOff: number, wt: Float32Array, bias: Float32Array | undefined,
  out: Float32Array, outOff: number, cin: number, cout: number, hw: number, relu: boolean,
): void {
  const co4 = cout - (cout % 4), hw4 = hw - (hw % 4);
  for (let co = 0; co < co4; co += 4) {
    const b0 = bias ? bias[co]! : 0, b1 = bias ? bias[co + 1]! : 0, b2 = bias ? bias[co + 2]! : 0, b3 = bias ? bias[co + 3]! : 0;
    const o0 = outOff + co * hw, o1 = o0 + hw, o2 = o1 + hw, o3 = o2 + hw;
    for (let p = 0; p < hw4; p += 4) {
      let a00 = b0, a01 = b0, a02 = b0, a03 = b0, a10 = b1, a11 = b1, a12 = b1, a13 = b1;
      let a20 = b2, a21 = b2, a22 = b2, a23 = b2, a30 = b3, a31 = b3, a32 = b3, a33 = b3;
      for (let ci = 0, xi = inOff + p, wi = co; ci < cin; ci++, xi += hw, wi += cout) {
        const x0 = input[xi]!, x1 = input[xi + 1]!, x2 = input[xi + 2]!, x3 = input[xi + 3]!;
        const w0 = wt[wi]!, w1 = wt[wi + 1]!, w2 = wt[wi + 2]!, w3 = wt[wi + 3]!;
        a00 += w0 * x0; a01 += w0 * x1; a02 += w0 * x2; a03 += w0 * x3;
        a10 += w1 * x0; a11 += w1 * x1; a12 += w1 * x2; a13 += w1 * x3;
        a20 += w2 * x0; a21 += w2 * x1; a22 += w2 * x2; a23 += w2 * x3;
        a30 += w3 * x0; a31 += w3 * x1; a32 += w3 * x2; a33 += w3 * x3;
      }
      if (relu) {
        out[o0 + p] = a00 > 0 ? a00 : 0; out[o0 + p + 1] = a01 > 0 ? a01 : 0; out[o0 + p + 2] = a02 > 0 ? a02 : 0; out[o0 + p + 3] = a03 > 0 ? a03 : 0;
        out[o1 + p] = a10 > 0 ? a10 : 0; out[o1 + p + 1] = a11 > 0 ? a11 : 0; out[o1 + p + 2] = a12 > 0 ? a12 : 0; out[o1 + p + 3] = a13 > 0 ? a13 : 0;
        out[o2 + p] = a20 > 0 ? a20 : 0; out[o2 + p + 1] = a21 > 0 ? a21 : 0; out[o2 + p + 2] = a22 > 0 ? a22 : 0; out[o2 + p + 3] = a23 > 0 ? a23 : 0;
        out[o3 + p] = a30 > 0 ? a30 : 0; out[o3 + p + 1] = a31 > 0 ? a31 : 0; out[o3 + p + 2] = a32 > 0 ? a32 : 0; out[o3 + p + 3] = a33 > 0 ? a33 : 0;
      } else {
        out[o0 + p] = a00; out[o0 + p + 1] = a01; out[o0 + p + 2] = a02; out[o0 + p + 3] = a03;
        out[o1 + p] = a10; out[o1 + p + 1] = a11; out[o1 + p + 2] = a12; out[o1 + p + 3] = a13;
        out[o2 + p] = a20; out[o2 + p + 1] = a21; out[o2 + p + 2] = a22; out[o2 + p + 3] = a23;
        out[o3 + p] = a30; out[o3 + p + 1] = a31; out[o3 + p + 2] = a32; out[o3 + p + 3] = a33;
      }
    }
    for (let p = hw4; p < hw; p++) {
      for (let k = 0; k < 4; k++) out[outOff + (co + k) * hw + p] = dot(input, inOff + p, hw, wt, co + k, cout, cin, bias, relu);
    }
  }
  for (let co = co4; co < cout; co++) {
    for (let p = 0; p < hw; p++) out[outOff + co * hw + p] = dot(input, inOff + p, hw, wt, co, cout, cin, bias, relu);
  }
}

/** One output of a pointwise convolution (the ragged edges of the register blocks). */
function dot(
  input: Float32Array, xi: number, hw: number, wt: Float32Array, co: number, cout: number, cin: number,
  bias: Float32Array | undefined, relu: boolean,
): number {
  let a = bias ? bias[co]! : 0;
  for (let ci = 0; ci < cin; ci++) a += wt[ci * cout + co]! * input[xi + ci * hw]!;
  return relu && !(a > 0) ? 0 : a;
}

/** Copies the input into `pad`, each channel framed by the convolution's zero padding. */
function padInput(input: Float32Array, inOff: number, s: ConvShape, pad: Float32Array): void {
  const ph = s.hin + s.padTop + s.padBottom, pw = s.win + s.padLeft + s.padRight, plane = ph * pw;
  pad.fill(0, 0, s.cin * plane);
  const win = s.win;
  for (let c = 0; c < s.cin; c++) {
    for (let y = 0; y < s.hin; y++) {
      const from = inOff + (c * s.hin + y) * win, to = c * plane + (y + s.padTop) * pw + s.padLeft;
      for (let x = 0; x < win; x++) pad[to + x] = input[from + x]!; // no subarray views: one per row costs more than the copy
    }
  }
}

/** Depthwise 3x3 over the padded input: the nine weights live in locals, one pass per channel. */
function depthwise3x3(
  pad: Float32Array, w: Float32Array, bias: Float32Array | undefined,
  out: Float32Array, outOff: number, s: ConvShape, relu: boolean,
): void {
  const pw = s.win + s.padLeft + s.padRight, plane = (s.hin + s.padTop + s.padBottom) * pw;
  const { hout, wout, strideH: sh, strideW: sw } = s;
  for (let c = 0; c < s.cin; c++) {
    const k = 9 * c;
    const w0 = w[k]!, w1 = w[k + 1]!, w2 = w[k + 2]!, w3 = w[k + 3]!, w4 = w[k + 4]!;
    const w5 = w[k + 5]!, w6 = w[k + 6]!, w7 = w[k + 7]!, w8 = w[k + 8]!;
    const b = bias ? bias[c]! : 0;
    for (let oy = 0; oy < hout; oy++) {
      const r0 = c * plane + oy * sh * pw, r1 = r0 + pw, r2 = r1 + pw;
      const o = outOff + (c * hout + oy) * wout;
      if (sw === 1) {
        // Slide the window: each step loads one new column of three values instead of nine.
        let p00 = pad[r0]!, p01 = pad[r0 + 1]!, p10 = pad[r1]!, p11 = pad[r1 + 1]!, p20 = pad[r2]!, p21 = pad[r2 + 1]!;
        for (let ox = 0; ox < wout; ox++) {
          const p02 = pad[r0 + ox + 2]!, p12 = pad[r1 + ox + 2]!, p22 = pad[r2 + ox + 2]!;
          const v = b + w0 * p00 + w1 * p01 + w2 * p02 + w3 * p10 + w4 * p11 + w5 * p12 + w6 * p20 + w7 * p21 + w8 * p22;
          out[o + ox] = relu && !(v > 0) ? 0 : v;
          p00 = p01; p01 = p02; p10 = p11; p11 = p12; p20 = p21; p21 = p22;
        }
        continue;
      }
      if (sw === 2) {
        // Stride 2: the window's last column is the next window's first; six loads an output.
        let p00 = pad[r0]!, p10 = pad[r1]!, p20 = pad[r2]!;
        for (let ox = 0, ix = 0; ox < wout; ox++, ix += 2) {
          const p01 = pad[r0 + ix + 1]!, p11 = pad[r1 + ix + 1]!, p21 = pad[r2 + ix + 1]!;
          const p02 = pad[r0 + ix + 2]!, p12 = pad[r1 + ix + 2]!, p22 = pad[r2 + ix + 2]!;
          const v = b + w0 * p00 + w1 * p01 + w2 * p02 + w3 * p10 + w4 * p11 + w5 * p12 + w6 * p20 + w7 * p21 + w8 * p22;
          out[o + ox] = relu && !(v > 0) ? 0 : v;
          p00 = p02; p10 = p12; p20 = p22;
        }
        continue;
      }
      for (let ox = 0, ix = 0; ox < wout; ox++, ix += sw) {
        const v = b +
          w0 * pad[r0 + ix]! + w1 * pad[r0 + ix + 1]! + w2 * pad[r0 + ix + 2]! +
          w3 * pad[r1 + ix]! + w4 * pad[r1 + ix + 1]! + w5 * pad[r1 + ix + 2]! +
          w6 * pad[r2 + ix]! + w7 * pad[r2 + ix + 1]! + w8 * pad[r2 + ix + 2]!;
        out[o + ox] = relu && !(v > 0) ? 0 : v;
      }
    }
  }
}

/** Any other convolution (grouped or dense, any kernel) over the padded input, via a Float64 accumulator. */
function general(
  pad: Float32Array, w: Float32Array, bias: Float32Array | undefined,
  out: Float32Array, outOff: number, s: ConvShape, acc: Float64Array, relu: boolean,
): void {
  const pw = s.win + s.padLeft + s.padRight, plane = (s.hin + s.padTop + s.padBottom) * pw;
  const { hout, wout, kh, kw, strideH: sh, strideW: sw } = s;
  const hw = hout * wout;
  const cinG = s.cin / s.group, coutG = s.cout / s.group;
  for (let co = 0; co < s.cout; co++) {
    const b = bias ? bias[co]! : 0;
    for (let p = 0; p < hw; p++) acc[p] = b;
    const g = Math.floor(co / coutG);
    for (let j = 0; j < cinG; j++) {
      const base = (g * cinG + j) * plane;
      const wBase = (co * cinG + j) * kh * kw;
      if (kh === 3 && kw === 3) {
        accumulate3x3(pad, base, pw, w, wBase, acc, hout, wout, sh, sw);
        continue;
      }
      for (let ky = 0; ky < kh; ky++) {
        for (let kx = 0; kx < kw; kx++) {
          const wv = w[wBase + ky * kw + kx]!;
          for (let oy = 0; oy < hout; oy++) {
            const row = base + (oy * sh + ky) * pw + kx;
            const a = oy * wout;
            for (let ox = 0; ox < wout; ox++) acc[a + ox] = acc[a + ox]! + wv * pad[row + ox * sw]!;
          }
        }
      }
    }
    store(acc, 0, out, outOff + co * hw, hw, relu);
  }
}

/** acc[oy][ox] += the 3x3 window of plane `base` at (oy*sh, ox*sw) times weights `w[k..k+9)`. */
function accumulate3x3(
  pad: Float32Array, base: number, pw: number, w: Float32Array, k: number,
  acc: Float64Array, hout: number, wout: number, sh: number, sw: number,
): void {
  const w0 = w[k]!, w1 = w[k + 1]!, w2 = w[k + 2]!, w3 = w[k + 3]!, w4 = w[k + 4]!;
  const w5 = w[k + 5]!, w6 = w[k + 6]!, w7 = w[k + 7]!, w8 = w[k + 8]!;
  for (let oy = 0; oy < hout; oy++) {
    const r0 = base + oy * sh * pw, r1 = r0 + pw, r2 = r1 + pw, a = oy * wout;
    for (let ox = 0, ix = 0; ox < wout; ox++, ix += sw) {
      acc[a + ox] = acc[a + ox]! + w0 * pad[r0 + ix]! + w1 * pad[r0 + ix + 1]! + w2 * pad[r0 + ix + 2]! +
        w3 * pad[r1 + ix]! + w4 * pad[r1 + ix + 1]! + w5 * pad[r1 + ix + 2]! +
        w6 * pad[r2 + ix]! + w7 * pad[r2 + ix + 1]! + w8 * pad[r2 + ix + 2]!;
    }
  }
}

/** Rounds `n` accumulated values to float32, applying ReLU when asked. */
function store(acc: Float64Array, from: number, out: Float32Array, at: number, n: number, relu: boolean): void {
  if (relu) for (let i = 0; i < n; i++) { const v = acc[from + i]!; out[at + i] = v > 0 ? v : 0; }
  else for (let i = 0; i < n; i++) out[at + i] = acc[from + i]!;
}

/** out = max(x, 0), elementwise (in place when `out` is `x`). */
export function relu(x: Float32Array, xOff: number, out: Float32Array, outOff: number, n: number): void {
  for (let i = 0; i < n; i++) { const v = x[xOff + i]!; out[outOff + i] = v > 0 ? v : 0; }
}

/** out = a + b (same shapes), optionally followed by ReLU. */
export function add(
  a: Float32Array, aOff: number, b: Float32Array, bOff: number,
  out: Float32Array, outOff: number, n: number, reluAfter: boolean,
): void {
  if (reluAfter) for (let i = 0; i < n; i++) { const v = a[aOff + i]! + b[bOff + i]!; out[outOff + i] = v > 0 ? v : 0; }
  else for (let i = 0; i < n; i++) out[outOff + i] = a[aOff + i]! + b[bOff + i]!;
}

/** out = a * b (same shapes), optionally followed by ReLU. */
export function mul(
  a: Float32Array, aOff: number, b: Float32Array, bOff: number,
  out: Float32Array, outOff: number, n: number, reluAfter: boolean,
): void {
  if (reluAfter) for (let i = 0; i < n; i++) { const v = a[aOff + i]! * b[bOff + i]!; out[outOff + i] = v > 0 ? v : 0; }
  else for (let i = 0; i < n; i++) out[outOff + i] = a[aOff + i]! * b[bOff + i]!;
}
