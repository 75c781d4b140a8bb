/**
 * The firmware generator: the shipped encoder (ONNX) and a profile in, plain C99 out. The C runs
 * one aligned chip through the network (`examples/firmware/fvq_runtime.c` loops, one call per
 * layer), quantises the latent against the profile's codebooks and writes the payload with the C
 * codec of `examples/c` (mode auto, as the SDK's default):
 *
 *   int fvq_encode_chip(const uint8_t rgb[FVQ_CHIP_BYTES], uint8_t *payload, size_t cap);
 *
 * Read me first:
 * - Each ONNX node goes through its emitter (`ops.ts`); an op without one is `E_MODEL_UNSUPPORTED`.
 * - Weights are `static const` arrays in the type the model ships (float16 today); activations
 *   live in one static arena planned here (`memory.ts`), so the peak RAM is known before the
 *   firmware is built and nothing is allocated at run time.
 * - The profile becomes a static `fvq_profile` holding what encoding needs (ids, hash, plane
 *   sizes, the §6.1 prior tables); it has no context tables or mode-3 tables, so the firmware
 *   writes modes 0 and 1 (§7 auto), as the SDK does by default.
 */
import { sha256 } from '../codec/_sha256.js';
import type { Profile } from '../codec/index.js';
import { FaceEncoderError } from '../sdk/errors.js';
import { checkCropSpec } from '../sdk/preprocess.js';
import { checkLatentShape } from '../sdk/quantize.js';
import type { Chw } from '../sdk/runtime/ts/graph.js';
import { readOnnx, type OnnxModel, type OnnxNode } from '../sdk/runtime/ts/onnx-proto.js';
import { arrayBody, cIdentifier, doubleLiteral, floatLiteral, halfBits } from './c-text.js';
import { planMemory } from './memory.js';
import { OP_EMITTERS, storedConstant, unsupported, type CConstant, type CStep, type EmitContext } from './ops.js';

/** One layer of the generated network, for reports. */
export interface FirmwareLayer {
  node: string;
  op: string;
  macs: number;
}

/** What the generator measured while it wrote the C. */
export interface FirmwareReport {
  /** The encoder's file name and SHA-256 (hex). */
  model: { file: string; sha256: string };
  profile: { name: string; id: number };
  layers: FirmwareLayer[];
  /** Multiply-accumulates of all Conv layers, per face. */
  macs: number;
  /** Bytes of weights and constants in flash (as stored: float16 or float32). */
  weightBytes: number;
  /** Bytes of the codebooks and prior tables in flash. */
  profileBytes: number;
  /** Bytes of the activation arena (float32). */
  arenaBytes: number;
  /** Accumulators of the largest layer (each sizeof(FVQ_ACC) bytes). */
  accumulators: number;
}

/** The generated files, by name, and the report. */
export interface Firmware {
  files: Record<string, string>;
  report: FirmwareReport;
}

const hex = (b: Uint8Array) => Array.from(b, (v) => v.toString(16).padStart(2, '0')).join('');

/** Walks the graph through the emitters: the steps, the constants they use, the value shapes. */
function emitGraph(model: OnnxModel, input: Chw) {
  const g = model.graph;
  if (g.inputs.length !== 1) throw new FaceEncoderError('E_MODEL_UNSUPPORTED', `firmware export: expected one graph input, found ${g.inputs.length}`);
  const shapes: Chw[] = [input];
  const ids = new Map<string, number>([[g.inputs[0]!.name, 0]]);
  const constants = new Map<string, CConstant>();
  const used = new Set<CConstant>();
  const steps: CStep[] = [];
  const counters = new Map<string, number>();
  for (const [name, t] of g.initializers) if (t.data) constants.set(name, storedConstant(cIdentifier(name), t));
  const ctx: EmitContext = {
    shape: (id) => shapes[id]!,
    value(name: string, node: OnnxNode) {
      const id = ids.get(name);
      if (id === undefined) throw new FaceEncoderError('E_MODEL_FORMAT', `ONNX: ${node.opType} ${node.name} reads ${name} before it is defined`);
      return id;
    },
    constant(name) {
      const c = constants.get(name);
      if (c) used.add(c);
      return c;
    },
    defineConstant(name, c) {
      if (ids.has(name)) throw new FaceEncoderError('E_MODEL_FORMAT', `ONNX: value ${name} defined twice`);
      constants.set(name, c);
    },
    defineValue(name, shape) {
      if (ids.has(name) || constants.has(name)) throw new FaceEncoderError('E_MODEL_FORMAT', `ONNX: value ${name} defined twice`);
      ids.set(name, shapes.push(shape) - 1);
      return shapes.length - 1;
    },
    alias(name, id) { ids.set(name, id); },
    push(step) { steps.push(step); },
    unique(prefix) {
      const n = counters.get(prefix) ?? 0;
      counters.set(prefix, n + 1);
      return `${prefix}_${n}`;
    },
  };
  for (const node of g.nodes) {
    if (node.domain !== '' && node.domain !== 'ai.onnx') unsupported(node, `op domain ${node.domain}`);
    const emit = OP_EMITTERS[node.opType];
    if (!emit) unsupported(node, `no emitter for op ${node.opType}`);
    emit(node, ctx);
  }
  const output = ids.get(g.outputs[0]?.name ?? '');
  if (output === undefined) throw new FaceEncoderError('E_MODEL_FORMAT', 'ONNX: the graph output is never computed');
  // A Cast or Identity names the same CConstant again: each is stored once.
  return { steps, shapes, output, constants: [...used] };
}

/**
 * Folds a step into the one before it when that step made its input, which nothing else reads (and
 * which is not the graph output): a Relu into a Conv, Add or Add/Mul by a constant (one pass over
 * memory instead of two, as the TypeScript runtime does), and an Add into the Conv before it (the
 * residual of a block: the Conv then writes over the Add's other input, so the block needs one
 * activation buffer less at its peak).
 */
function fuse(steps: CStep[], output: number): { steps: CStep[]; resolve: (id: number) => number } {
  const uses = new Map<number, number>([[output, 1]]);
  for (const s of steps) for (const v of s.inputs) uses.set(v, (uses.get(v) ?? 0) + 1);
  const alias = new Map<number, number>();
  const resolve = (id: number) => alias.get(id) ?? id;
  const kept: CStep[] = [];
  for (const s of steps) {
    s.inputs = s.inputs.map(resolve);
    const prev = kept[kept.length - 1];
    const made = prev !== undefined && s.inputs.includes(prev.output) && uses.get(prev.output) === 1 && prev.output !== output;
    if (made && s.op === 'Relu' && prev.fusesRelu && !prev.relu) {
      prev.relu = true;
      alias.set(s.output, prev.output);
      continue;
    }
    const other = s.inputs.find((v) => v !== prev?.output);
    if (made && s.op === 'Add' && prev.op === 'Conv' && !prev.relu && prev.residual === undefined && other !== undefined && s.inputs.length === 2) {
      prev.residual = other;
      prev.inputs = [other, ...prev.inputs];
      prev.inPlace = true;
      alias.set(s.output, prev.output);
      continue;
    }
    kept.push(s);
  }
  return { steps: kept, resolve };
}

function constantC(c: CConstant): string {
  const dims = `[${c.tensor.dims.join(',')}]`;
  const data = `${c.cName}_data`;
  const body = c.storage === 'f16'
    ? `static const uint16_t ${data}[] = {\n${arrayBody(c.tensor.data!, (v) => `0x${halfBits(v).toString(16).padStart(4, '0')}`, 12)}\n};`
    : `static const float ${data}[] = {\n${arrayBody(c.tensor.data!, floatLiteral, 8)}\n};`;
  return `/* ${c.tensor.name} ${dims} ${c.storage === 'f16' ? 'float16' : 'float32'} */\n${body}\n` +
    `static const fvq_tensor ${c.cName} = {${c.storage === 'f16' ? 'FVQ_F16' : 'FVQ_F32'}, ${data}};\n`;
}

function profileC(profile: Profile): { text: string; bytes: number } {
  const g = profile.planes.length;
  const pad = (values: number[], fill: number) => [...values, ...Array<number>(8 - values.length).fill(fill)].join(', ');
  const parts: string[] = [];
  let bytes = 0;
  profile.codebooks.forEach((book, i) => {
    parts.push(`static const float codebook_${i}[] = {\n${arrayBody(book, floatLiteral, 8)}\n};`);
    bytes += book.length * 4;
  });
  profile.prior.forEach((t, i) => {
    parts.push(`static const uint16_t prior_freq_${i}[] = {\n${arrayBody(t.freq, String, 16)}\n};`);
    parts.push(`static const uint32_t prior_cum_${i}[] = {\n${arrayBody(t.cum, String, 12)}\n};`);
    bytes += t.freq.length * 2 + t.cum.length * 4;
  });
  parts.push(`static const fvq_codebook codebooks[${g}] = {\n${profile.planes.map((p, i) => `  {${p.k}, ${p.dim}, codebook_${i}},`).join('\n')}\n};`);
  parts.push([
    `/* Profile ${JSON.stringify(profile.name)} (id ${profile.id}, §10): what encoding needs; no context or mode-3 tables. */`,
    'const fvq_profile fvq_model_profile = {',
    `  ${profile.id},`,
    `  {${Array.from(profile.sha256, (b) => `0x${b.toString(16).padStart(2, '0')}`).join(', ')}},`,
    `  ${profile.h}, ${profile.w}, ${g},`,
    `  {${pad(profile.planes.map((p) => p.k), 0)}},`,
    `  {${pad(profile.planes.map((p) => p.bits), 0)}},`,
    `  {${pad(profile.planes.map((p) => p.dim), 0)}},`,
    `  ${profile.gridLength}, ${profile.fixedBodyBytes}, ${profile.maxBytes},`,
    `  {${profile.prior.map((t, i) => `{${t.freq.length}, prior_freq_${i}, prior_cum_${i}}`).join(', ')}},`,
    '  0, NULL, NULL,',
    '  0, {0}, NULL, NULL, NULL, NULL, NULL, NULL,',
    `  ${JSON.stringify(profile.name.slice(0, 32))},`,
    '  NULL',
    '};',
  ].join('\n'));
  return { text: parts.join('\n\n'), bytes };
}

/**
 * Generates the firmware encoder for `profile` from the encoder ONNX `modelBytes` (the file the
 * profile names; its SHA-256 must match the profile's when the profile records one).
 * Throws {@link FaceEncoderError} (`E_MODEL_UNSUPPORTED`, `E_MODEL_FORMAT`, `E_MODEL_HASH`,
 * `E_PROFILE_MISMATCH`).
 */
export function generateFirmware(modelBytes: Uint8Array, profile: Profile, modelFile = profile.encoder?.file ?? 'encoder.onnx'): Firmware {
  checkCropSpec(profile.crop);
  const modelHash = sha256(modelBytes);
  if (profile.encoder && hex(modelHash) !== hex(profile.encoder.sha256)) {
    throw new FaceEncoderError('E_MODEL_HASH', `encoder SHA-256 ${hex(modelHash)} is not the profile's ${hex(profile.encoder.sha256)}`);
  }
  const size = profile.crop.size;
  const { steps: raw, shapes, output, constants } = emitGraph(readOnnx(modelBytes), [3, size, size]);
  checkLatentShape(profile, shapes[output]!);
  const { steps, resolve } = fuse(raw, output);
  const sizes = shapes.map((s) => s[0] * s[1] * s[2]);
  const memory = planMemory(steps, sizes, 0, resolve(output));
  const buffer = (id: number) => `(arena + ${memory.offsets.get(resolve(id))!})`;
  const accumulators = Math.max(1, ...steps.map((s) => s.accumulators));
  const mean = profile.encoder?.mean ?? 0.5, std = profile.encoder?.std ?? 0.5;
  const scale = 1 / (255 * std), shift = mean / std; // as chipToTensor (src/sdk/preprocess.ts) computes them
  const prof = profileC(profile);
  const weightBytes = constants.reduce((n, c) => n + c.tensor.data!.length * (c.storage === 'f16' ? 2 : 4), 0);
  const layers = steps.map((s) => ({ node: s.node, op: `${s.op}${s.residual === undefined ? '' : '+Add'}${s.relu ? '+Relu' : ''}`, macs: s.macs }));
  const macs = layers.reduce((n, l) => n + l.macs, 0);
  const report: FirmwareReport = {
    model: { file: modelFile, sha256: hex(modelHash) },
    profile: { name: profile.name, id: profile.id },
    layers, macs, weightBytes, profileBytes: prof.bytes, arenaBytes: memory.arenaFloats * 4, accumulators,
  };
  const banner = `GENERATED by \`facevq firmware export\` from ${modelFile} (SHA-256 ${hex(modelHash).slice(0, 16)}...) and profile ` +
    `${JSON.stringify(profile.name)}: do not edit, regenerate.`;

  const header = `/*
 * fvq_model.h - ${banner}
 *
 * One aligned chip (${size}x${size} RGB bytes, row-major, as src/sdk/align.ts makes it) to a payload.
 * Not re-entrant: the network's buffers are static (${report.arenaBytes} bytes of activations and
 * ${accumulators} accumulators), sized here so that nothing is allocated at run time.
 */
#ifndef FVQ_MODEL_H
#define FVQ_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "facevq.h"

#define FVQ_CHIP_SIZE ${size}
#define FVQ_CHIP_BYTES ${size * size * 3}
#define FVQ_GRID_LENGTH ${profile.gridLength}
#define FVQ_LATENT_FLOATS ${sizes[output]}
#define FVQ_ARENA_FLOATS ${memory.arenaFloats}
#define FVQ_ACCUMULATORS ${accumulators}
#define FVQ_MODEL_MACS ${macs}L /* multiply-accumulates of every Conv, per face */

/* The profile payloads are written for. */
extern const fvq_profile fvq_model_profile;

/* Runs the encoder network; returns its latent (FVQ_LATENT_FLOATS floats, CHW), valid until the next call. */
const float *fvq_encoder_latent(const uint8_t rgb[FVQ_CHIP_BYTES]);

/* The chip's grid: FVQ_GRID_LENGTH codebook indices in grid order (spec §1). */
void fvq_chip_grid(const uint8_t rgb[FVQ_CHIP_BYTES], uint16_t grid[FVQ_GRID_LENGTH]);

/* The chip's payload (§7 auto mode, no extensions) in payload[0..cap): its length in bytes, or
 * -(int)e for an fvq_err e (FVQ_E_OVER_BOUND when cap is too small). */
int fvq_encode_chip(const uint8_t rgb[FVQ_CHIP_BYTES], uint8_t *payload, size_t cap);

#endif
`;

  const data = steps.flatMap((s) => s.data);
  const body = steps.map((s) => `  ${s.call(buffer)} /* ${s.node}${s.macs ? `: ${s.macs} MACs` : ''} */`);
  const source = `/*
 * fvq_model.c - ${banner}
 */
#include "fvq_model.h"

#include "fvq_runtime.h"

/* Weights and constants (${weightBytes} bytes) */
${constants.map(constantC).join('\n')}
/* Codebooks and prior tables (${prof.bytes} bytes) */
${prof.text}

/* Layer shapes */
${data.join('\n')}

/* Activations: one arena; a value's slot is reused once the value is dead. */
static float arena[FVQ_ARENA_FLOATS];
static fvq_acc accumulators[FVQ_ACCUMULATORS];

const float *fvq_encoder_latent(const uint8_t rgb[FVQ_CHIP_BYTES]) {
  /* (v / 255 - mean) / std, as v * scale - shift (src/sdk/preprocess.ts chipToTensor) */
  fvq_chip_to_tensor(rgb, FVQ_CHIP_SIZE, (fvq_acc)${doubleLiteral(scale)}, (fvq_acc)${doubleLiteral(shift)}, ${buffer(0)});
${body.join('\n')}
  return ${buffer(output)};
}

void fvq_chip_grid(const uint8_t rgb[FVQ_CHIP_BYTES], uint16_t grid[FVQ_GRID_LENGTH]) {
  fvq_quantize(fvq_encoder_latent(rgb), ${profile.h * profile.w}, codebooks, ${profile.planes.length}, grid);
}

int fvq_encode_chip(const uint8_t rgb[FVQ_CHIP_BYTES], uint8_t *payload, size_t cap) {
  uint16_t grid[FVQ_GRID_LENGTH];
  size_t len = 0;
  fvq_err e;
  fvq_chip_grid(rgb, grid);
  e = fvq_encode(&fvq_model_profile, grid, FVQ_GRID_LENGTH, FVQ_MODE_AUTO, NULL, 0, payload, cap, &len);
  return e == FVQ_OK ? (int)len : -(int)e;
}
`;
  return { files: { 'fvq_model.h': header, 'fvq_model.c': source, 'fvq_model.json': `${JSON.stringify(report, null, 2)}\n` }, report };
}
