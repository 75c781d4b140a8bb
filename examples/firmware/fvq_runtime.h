/*
 * fvq_runtime.h - the loops the generated encoder (fvq_model.c) calls: convolution, elementwise
 * ops with a broadcast constant, ReLU, and the nearest-codebook quantiser. Plain C99, no heap, no
 * libm; every buffer belongs to the caller (fvq_model.c sizes them when it is generated).
 *
 * Read me first:
 *  - Layout is ONNX's: one sample, channels first (CHW), float32 activations.
 *  - Weights stay in flash in the type the model ships (fvq_tensor): float32 or float16 (widened
 *    one weight at a time, outside the pixel loop). A new storage type is one more fvq_dtype and one
 *    more case in fvq_tensor_at().
 *  - Summation order is the TypeScript runtime's (src/sdk/runtime/ts/kernels.ts): each output
 *    starts at its bias and adds input channel by input channel, kernel row by row. With
 *    FVQ_ACC=double the sums are the TypeScript runtime's bit for bit (it sums in float64); the
 *    default, float, is what a single-precision FPU (Cortex-M4F, M33) runs in hardware, and agrees
 *    to float rounding (see examples/firmware/README.md for what that costs).
 */
#ifndef FVQ_RUNTIME_H
#define FVQ_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#ifndef FVQ_ACC
#define FVQ_ACC float
#endif
/* The accumulator: float on the device, double for bit parity with the TypeScript runtime. */
typedef FVQ_ACC fvq_acc;

/* How a constant tensor is stored. */
typedef enum {
  FVQ_F32 = 0, /* float32 */
  FVQ_F16 = 1  /* IEEE 754 binary16 bits */
} fvq_dtype;

/* A constant tensor in flash. */
typedef struct {
  fvq_dtype type;
  const void *data;
} fvq_tensor;

/* One 2-D convolution (ONNX Conv, dilation 1), per sample. */
typedef struct {
  uint16_t cin, hin, win, cout, hout, wout, kh, kw, stride_h, stride_w, pad_top, pad_left, group;
} fvq_conv_shape;

/* Broadcast of a constant over a (C, H, W) value: the constant's stride per axis, 0 where it has
 * size 1 (ONNX multidirectional broadcasting, spec'd by the generator). */
typedef struct {
  uint16_t c, h, w;
  uint32_t stride_c, stride_h, stride_w;
} fvq_broadcast;

/* Element i of a constant tensor, as float. */
float fvq_tensor_at(const fvq_tensor *t, uint32_t i);

/* out = conv(in, weight) + bias (rounded to float), + residual when it is not NULL (a following
 * ONNX Add, folded in), then ReLU when relu != 0. acc holds hout*wout accumulators. out may be
 * residual: each output is written right after its residual value is read. */
void fvq_conv(const float *in, const fvq_tensor *weight, const fvq_tensor *bias, const float *residual,
              float *out, const fvq_conv_shape *s, fvq_acc *acc, int relu);

/* out = a + b over n values (ReLU after when relu != 0); out may be a or b. */
void fvq_add(const float *a, const float *b, float *out, uint32_t n, int relu);

/* out = x + k or x * k, k broadcast to x's shape; out may be x. */
void fvq_add_const(const float *x, const fvq_tensor *k, const fvq_broadcast *b, float *out, int relu);
void fvq_mul_const(const float *x, const fvq_tensor *k, const fvq_broadcast *b, float *out, int relu);

/* out = max(x, 0); out may be x. */
void fvq_relu(const float *x, float *out, uint32_t n);

/* RGB bytes (HWC, size x size) to the encoder's input, CHW floats v * scale - shift. */
void fvq_chip_to_tensor(const uint8_t *rgb, uint32_t size, fvq_acc scale, fvq_acc shift, float *out);

/* One plane of a product quantiser: K entries of `dim` floats, entry-major. */
typedef struct {
  uint32_t k, dim;
  const float *entries;
} fvq_codebook;

/* Spec §1 / src/sdk/quantize.ts: at each of the hw positions of `latent` (CHW), each plane's
 * channels are replaced by the index of the nearest entry (squared L2, ties to the lowest index);
 * grid order is (position, plane). */
void fvq_quantize(const float *latent, uint32_t hw, const fvq_codebook *planes, uint32_t n_planes,
                  uint16_t *grid);

#endif
