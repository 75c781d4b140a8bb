/**
 * The conformance vectors of `spec/vectors/` (layout and meaning: spec/CONFORMANCE.md): types,
 * and a loader that checks every file against `schema.json` and resolves profile names to paths.
 */

import fs from 'node:fs';
import path from 'node:path';
import type { ExtensionsJson } from './protocol.js';
import { validate, type JsonValue, type Schema } from './schema.js';

/** What a vector file is about: the payload (§2-§8), the profile file (§10) or a batch (§11). */
export type VectorKind = 'payload' | 'profile' | 'batch';

/** The grid and encoder options of a payload case. */
export interface PayloadInput {
  grid: number[];
  mode: 0 | 1 | 2 | 3 | 'auto';
  /** With `mode: "auto"`: code with the context prior (mode 2) where the profile has one. */
  contexts?: boolean;
  /** With `mode: "auto"`: code in mode 3 (table ANS, §6.7) in place of mode 1 or 2. */
  fast?: boolean;
  extensions?: ExtensionsJson;
}

/** The expected result of a valid profile case. */
export interface ProfileResult {
  id: number;
  name: string;
  sha256: string;
}

/** The expected result of one item of a valid batch case. */
export type BatchItemResult =
  | { id: string; valid: true; mode: number; grid: number[]; extensions?: ExtensionsJson }
  | { id: string; valid: false; error: string };

export interface VectorCase {
  description: string;
  /** The section(s) of spec/FORMAT.md the case exercises, e.g. `"§6.5"`. */
  spec: string;
  /** Payload and batch cases: the name(s) of the profiles the decoder holds (the file's `profiles`). */
  profile?: string | string[];
  /** Payload cases: the grid, mode and extensions (what a valid `hex` decodes to, or what to encode). */
  input?: PayloadInput;
  /** The bytes: a payload, a profile file or a batch envelope. Absent for encoder-only cases. */
  hex?: string;
  valid: boolean;
  /** The §9 code an invalid case fails with. */
  error?: string;
  /** True when encoding `input` MUST give exactly `hex` (a canonical encode vector, §7). */
  roundtrip: boolean;
  /** Profile cases: id, name and hash; batch cases: each item's result. */
  result?: ProfileResult | { items: BatchItemResult[] };
}

export interface VectorFile {
  _comment: string;
  kind: VectorKind;
  /** Profile name to file, relative to the vectors directory (`profiles/<name>.fvqp`). */
  profiles: Record<string, string>;
  cases: VectorCase[];
}

/** One case, ready to run. */
export interface LoadedCase {
  /** `<file path without .json>#<index>`, e.g. `payload/mode1#3`: stable, since vectors only grow. */
  id: string;
  kind: VectorKind;
  /** True for cases under `optional/`: not required for conformance. */
  optional: boolean;
  case: VectorCase;
  /** Absolute paths of `case.profile`, in order. */
  profilePaths: string[];
}

/** Files in the vectors directory that are not vector files. */
const NOT_VECTORS = new Set(['schema.json', 'MANIFEST.json']);

/** Every `.json` vector file under `dir`, relative, `/`-separated and sorted. */
export function listVectorFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(child);
      else if (entry.name.endsWith('.json') && !(rel === '' && NOT_VECTORS.has(entry.name))) out.push(child);
    }
  };
  walk('');
  return out.sort();
}

/** The schema of vector files, `dir/schema.json`. */
export function loadSchema(dir: string): Schema {
  return JSON.parse(fs.readFileSync(path.join(dir, 'schema.json'), 'utf8')) as Schema;
}

/**
 * Loads every vector file under `dir`, validating each against `dir/schema.json`; throws with the
 * file and the schema errors when one does not fit, or when a case names an unknown profile.
 */
export function loadVectors(dir: string): LoadedCase[] {
  const schema = loadSchema(dir);
  const cases: LoadedCase[] = [];
  for (const rel of listVectorFiles(dir)) {
    const json = JSON.parse(fs.readFileSync(path.join(dir, rel), 'utf8')) as JsonValue;
    const errors = validate(json, schema);
    if (errors.length > 0) {
      throw new Error(`${rel}: does not fit schema.json:\n${errors.slice(0, 10).map((e) => `  ${e.path}: ${e.message}`).join('\n')}`);
    }
    const file = json as unknown as VectorFile;
    const base = rel.replace(/\.json$/, '');
    file.cases.forEach((c, i) => {
      const names = c.profile === undefined ? [] : Array.isArray(c.profile) ? c.profile : [c.profile];
      const profilePaths = names.map((name) => {
        const p = file.profiles[name];
        if (p === undefined) throw new Error(`${rel}: case ${i} names profile "${name}", not in "profiles"`);
        return path.resolve(dir, p);
      });
      cases.push({ id: `${base}#${i}`, kind: file.kind, optional: base.startsWith('optional/'), case: c, profilePaths });
    });
  }
  return cases;
}
