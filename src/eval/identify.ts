/**
 * Closed-set identification: a folder per identity; the first K images of each (by name in natural
 * order, so `2.pgm` comes before `10.pgm`) are enrolled, the rest are probes. An identity's
 * template is the normalised mean of its normalised enrolled embeddings; a probe is ranked against
 * every template by cosine similarity. Top-1 and top-5 are the shares of probes whose identity is
 * at rank 1 and within the first 5. Identities with K images or fewer only enroll (they remain
 * distractors).
 */
import fs from 'node:fs';
import path from 'node:path';
import { measureThresholds, type Calibration, type Thresholds } from './calibrate.js';
import type { MethodEmbeddings } from './embed.js';
import { bytesOf } from './verify.js';

const IMAGE = /\.(jpe?g|png|webp|pgm|ppm|pnm|tiff?)$/i;

/** Default images enrolled per identity: 5, the usual half of AT&T/ORL's ten. */
export const DEFAULT_ENROLL = 5;

/** The enrolment and probe split of a dataset. */
export interface IdentitySplit {
  /** Identities in sorted order. */
  identities: string[];
  /** Enrolled image paths (relative to the data folder) of each identity. */
  enroll: Map<string, string[]>;
  probes: { identity: string; path: string }[];
}

const natural = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });

/** Splits `dir` (one sub-folder of images per identity) into enrolment and probes. */
export function splitIdentities(dir: string, enrollK: number): IdentitySplit {
  if (!Number.isInteger(enrollK) || enrollK < 1) throw new RangeError('enroll: must be a positive integer');
  const identities = fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort(natural);
  const enroll = new Map<string, string[]>();
  const probes: IdentitySplit['probes'] = [];
  for (const identity of identities) {
    const files = fs.readdirSync(path.join(dir, identity)).filter((f) => IMAGE.test(f)).sort(natural).map((f) => `${identity}/${f}`);
    if (files.length === 0) continue;
    enroll.set(identity, files.slice(0, enrollK));
    for (const f of files.slice(enrollK)) probes.push({ identity, path: f });
  }
  return { identities: [...enroll.keys()], enroll, probes };
}

function normalised(v: ArrayLike<number>): Float64Array {
  const out = Float64Array.from(v as ArrayLike<number>);
  let n = 0;
  for (const x of out) n += x * x;
  n = Math.sqrt(n);
  if (n > 0) for (let i = 0; i < out.length; i++) out[i]! /= n;
  return out;
}

/** The normalised mean of normalised vectors. */
export function template(vectors: readonly ArrayLike<number>[]): Float64Array {
  if (vectors.length === 0) throw new RangeError('template: no vectors');
  const sum = new Float64Array(vectors[0]!.length);
  for (const v of vectors) {
    const u = normalised(v);
    for (let i = 0; i < sum.length; i++) sum[i]! += u[i]!;
  }
  return normalised(sum);
}

/** One method's identification result. */
export interface IdentificationResult {
  name: string;
  bytesMean: number;
  bytesMax: number;
  top1: number;
  top5: number;
  probes: number;
  /** Images this method failed on (a probe without an embedding counts as a miss). */
  failures: number;
  /**
   * For a method with decision thresholds (a profile's §10.2 `thresholds`): the false- and
   * genuine-accept rates each threshold gives on every pair of this set's embedded images, a check
   * of the calibration on faces it never saw.
   */
  thresholdCheck?: Calibration;
}

/** Ranks of the true identity (1-based) for each probe; rank ties count against the probe. */
export function probeRanks(templates: ReadonlyMap<string, ArrayLike<number>>, probes: readonly { identity: string; vector: ArrayLike<number> | undefined }[]): number[] {
  return probes.map(({ identity, vector }) => {
    const truth = templates.get(identity);
    if (!vector || !truth) return Infinity;
    const p = normalised(vector);
    const score = (t: ArrayLike<number>) => {
      let s = 0;
      for (let i = 0; i < p.length; i++) s += p[i]! * t[i]!;
      return s;
    };
    const own = score(truth);
    let rank = 1;
    for (const [id, t] of templates) if (id !== identity && score(t) >= own) rank++;
    return rank;
  });
}

/** Identification with one method's embeddings, and its `thresholds` checked when it has any. */
export function identify(name: string, result: MethodEmbeddings, split: IdentitySplit, thresholds?: Thresholds): IdentificationResult {
  const templates = new Map<string, Float64Array>();
  for (const [identity, files] of split.enroll) {
    const vectors = files.map((f) => result.byPath.get(f)?.embedding).filter((v): v is Float32Array => v !== undefined);
    if (vectors.length > 0) templates.set(identity, template(vectors));
  }
  const ranks = probeRanks(templates, split.probes.map((p) => ({ identity: p.identity, vector: result.byPath.get(p.path)?.embedding })));
  const all = imagesOfSplit(split);
  const bytes = bytesOf(result, all);
  const check = thresholds ? { thresholdCheck: checkThresholds(result, split, thresholds) } : {};
  return {
    name,
    bytesMean: bytes.mean,
    bytesMax: bytes.max,
    top1: ranks.filter((r) => r <= 1).length / ranks.length,
    top5: ranks.filter((r) => r <= 5).length / ranks.length,
    probes: ranks.length,
    failures: all.filter((f) => !result.byPath.has(f)).length,
    ...check,
  };
}

/** Every embedded image of the split, paired with every other, at the given thresholds. */
function checkThresholds(result: MethodEmbeddings, split: IdentitySplit, thresholds: Thresholds): Calibration {
  const people = new Map<string, number>();
  const rows: { person: number; embedding: Float64Array }[] = [];
  const add = (identity: string, file: string) => {
    const embedding = result.byPath.get(file)?.embedding;
    if (!embedding) return;
    if (!people.has(identity)) people.set(identity, people.size);
    rows.push({ person: people.get(identity)!, embedding: normalised(embedding) });
  };
  for (const [identity, files] of split.enroll) for (const f of files) add(identity, f);
  for (const p of split.probes) add(p.identity, p.path);
  const dim = rows[0]?.embedding.length ?? 0;
  const flat = new Float32Array(rows.length * dim);
  rows.forEach((r, i) => flat.set(r.embedding, i * dim));
  return measureThresholds(flat, rows.map((r) => r.person), dim, thresholds);
}

/** Every image of the split: enrolled first, then probes. */
export function imagesOfSplit(split: IdentitySplit): string[] {
  return [...[...split.enroll.values()].flat(), ...split.probes.map((p) => p.path)];
}
