/*
 * fvq_runtime.c - the loops behind fvq_runtime.h. See there for the layout and the summation order.
 */
#include "fvq_runtime.h"

/* IEEE 754 binary16 to float32, exactly (subnormals included). */
static float half_to_float(uint16_t h) {
  uint32_t sign = (uint32_t)(h & 0x8000u) << 16, exp = (h >> 10) & 0x1fu, man = h & 0x3ffu, bits;
  union { uint32_t u; float f; } v;
  if (exp == 0x1fu) {
    bits = sign | 0x7f800000u | man << 13; /* infinity or NaN */
  } else if (exp != 0) {
    bits = sign | (exp + 112u) << 23 | man << 13; /* rebias 15 -> 127 */
  } else if (man == 0) {
    bits = sign;
  } else { /* subnormal: normalise the mantissa */
    exp = 113u;
    while (!(man & 0x400u)) {
      man <<= 1;
      exp--;
    }
    bits = sign | exp << 23 | (man & 0x3ffu) << 13;
  }
  v.u = bits;
  return v.f;
}

float fvq_tensor_at(const fvq_tensor *t, uint32_t i) {
  switch (t->type) {
  case FVQ_F16: return half_to_float(((const uint16_t *)t->data)[i]);
  default: return ((const float *)t->data)[i];
  }
}

/* The outputs o in [0, n_out) whose input o * stride + k - pad lies in [0, n_in): [*lo, *hi). */
static void valid_range(uint32_t n_out, uint32_t n_in, uint32_t stride, uint32_t k, uint32_t pad,
                        uint32_t *lo, uint32_t *hi) {
  uint32_t first = pad > k ? (pad - k + stride - 1) / stride : 0;
  /* last valid: o * stride + k - pad <= n_in - 1 */
  uint32_t limit = n_in - 1 + pad >= k ? (n_in - 1 + pad - k) / stride + 1 : 0;
  *lo = first;
  *hi = limit < n_out ? limit : n_out;
  if (*hi < *lo) *hi = *lo;
}

/* a[i] += w * x[i * stride] for i < n: the loop every multiply-accumulate of a Conv runs in. */
static void multiply_add(fvq_acc *restrict a, const float *restrict x, fvq_acc w, uint32_t n, uint32_t stride) {
  uint32_t i;
  if (stride == 1) {
    for (i = 0; i < n; i++) a[i] += w * (fvq_acc)x[i];
  } else {
    for (i = 0; i < n; i++) a[i] += w * (fvq_acc)x[i * stride];
  }
}

void fvq_conv(const float *in, const fvq_tensor *weight, const fvq_tensor *bias, const float *residual,
              float *out, const fvq_conv_shape *s, fvq_acc *acc, int relu) {
  const uint32_t hw = (uint32_t)s->hout * s->wout, plane = (uint32_t)s->hin * s->win;
  const uint32_t cin_g = s->cin / s->group, cout_g = s->cout / s->group;
  uint32_t co, j, ky, kx, oy, p;
  for (co = 0; co < s->cout; co++) {
    const fvq_acc b = bias ? (fvq_acc)fvq_tensor_at(bias, co) : 0;
    const float *group_in = in + (size_t)(co / cout_g) * cin_g * plane;
    float *o = out + (size_t)co * hw;
    for (p = 0; p < hw; p++) acc[p] = b;
    for (j = 0; j < cin_g; j++) {
      const float *x = group_in + (size_t)j * plane;
      for (ky = 0; ky < s->kh; ky++) {
        uint32_t oy_lo, oy_hi;
        valid_range(s->hout, s->hin, s->stride_h, ky, s->pad_top, &oy_lo, &oy_hi);
        for (kx = 0; kx < s->kw; kx++) {
          const fvq_acc w = (fvq_acc)fvq_tensor_at(weight, ((co * cin_g + j) * s->kh + ky) * s->kw + kx);
          uint32_t ox_lo, ox_hi;
          valid_range(s->wout, s->win, s->stride_w, kx, s->pad_left, &ox_lo, &ox_hi);
          if (s->stride_w == 1 && s->stride_h == 1 && s->win == s->wout && ox_hi - ox_lo == s->wout) {
            /* whole rows, input and output alike (a 1x1 convolution): one run over them all */
            multiply_add(acc + oy_lo * s->wout, x + (oy_lo + ky - s->pad_top) * s->win, w, (oy_hi - oy_lo) * s->wout, 1);
            continue;
          }
          for (oy = oy_lo; oy < oy_hi; oy++) {
            /* the padded taps add w * 0: skipping them leaves every sum as it was */
            const float *row = x + (oy * s->stride_h + ky - s->pad_top) * s->win + kx - s->pad_left;
            multiply_add(acc + oy * s->wout + ox_lo, row + ox_lo * s->stride_w, w, ox_hi - ox_lo, s->stride_w);
          }
        }
      }
    }
    if (residual) {
      /* the Conv's float32 output, then the Add's: two roundings, as the graph has them */
      const float *r = residual + (size_t)co * hw;
      for (p = 0; p < hw; p++) {
        const float v = (float)((fvq_acc)(float)acc[p] + (fvq_acc)r[p]);
        o[p] = relu && !(v > 0) ? 0.0f : v;
      }
    } else if (relu) {
      for (p = 0; p < hw; p++) o[p] = acc[p] > 0 ? (float)acc[p] : 0.0f;
    } else {
      for (p = 0; p < hw; p++) o[p] = (float)acc[p];
    }
  }
}

void fvq_add(const float *a, const float *b, float *out, uint32_t n, int relu) {
  uint32_t i;
  for (i = 0; i < n; i++) {
    float v = (float)((fvq_acc)a[i] + (fvq_acc)b[i]);
    out[i] = relu && !(v > 0) ? 0.0f : v;
  }
}

/* out = x (op) k over b's shape; op 0 adds, 1 multiplies. */
static void const_op(const float *x, const fvq_tensor *k, const fvq_broadcast *b, float *out, int relu, int mul) {
  uint32_t c, y, i = 0, xx;
  for (c = 0; c < b->c; c++) {
    for (y = 0; y < b->h; y++) {
      for (xx = 0; xx < b->w; xx++, i++) {
        const fvq_acc kv = (fvq_acc)fvq_tensor_at(k, c * b->stride_c + y * b->stride_h + xx * b->stride_w);
        const float v = (float)(mul ? (fvq_acc)x[i] * kv : (fvq_acc)x[i] + kv);
        out[i] = relu && !(v > 0) ? 0.0f : v;
      }
    }
  }
}

void fvq_add_const(const float *x, const fvq_tensor *k, const fvq_broadcast *b, float *out, int relu) {
  const_op(x, k, b, out, relu, 0);
}

void fvq_mul_const(const float *x, const fvq_tensor *k, const fvq_broadcast *b, float *out, int relu) {
  const_op(x, k, b, out, relu, 1);
}

void fvq_relu(const float *x, float *out, uint32_t n) {
  uint32_t i;
  for (i = 0; i < n; i++) out[i] = x[i] > 0 ? x[i] : 0.0f;
}

void fvq_chip_to_tensor(const uint8_t *rgb, uint32_t size, fvq_acc scale, fvq_acc shift, float *out) {
  const uint32_t plane = size * size;
  uint32_t p, c;
  for (p = 0; p < plane; p++)
    for (c = 0; c < 3; c++) out[c * plane + p] = (float)((fvq_acc)rgb[3 * p + c] * scale - shift);
}

void fvq_quantize(const float *latent, uint32_t hw, const fvq_codebook *planes, uint32_t n_planes,
                  uint16_t *grid) {
  uint32_t pos, g, i, j, c0;
  for (pos = 0; pos < hw; pos++) {
    for (g = 0, c0 = 0; g < n_planes; c0 += planes[g].dim, g++) {
      const float *v = latent + (size_t)c0 * hw + pos; /* channel c0 + j is at v[j * hw] */
      const float *e = planes[g].entries;
      fvq_acc best_d = 0;
      uint32_t best = 0;
      for (i = 0; i < planes[g].k; i++, e += planes[g].dim) {
        fvq_acc d = 0;
        for (j = 0; j < planes[g].dim; j++) {
          const fvq_acc diff = (fvq_acc)v[j * hw] - (fvq_acc)e[j];
          d += diff * diff;
          if (i > 0 && d >= best_d) break; /* no better: strictly-less keeps the lowest index on ties */
        }
        if (i == 0 || d < best_d) {
          best_d = d;
          best = i;
        }
      }
      grid[pos * n_planes + g] = (uint16_t)best;
    }
  }
}
