/**
 * What every compared method is to the evaluation: a name for the table, a one-line description
 * for the report, and a way to turn a face into an embedding plus the bytes it would cost on the
 * wire. Methods computed from another method's output (the quantised teacher descriptors) say so
 * with `from`, so the evaluation computes (or reads from cache) their source once.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { Embedded } from '../embedding-cache.js';
import type { Face } from '../faces.js';

/** A method that embeds faces itself. */
export interface SourceMethod {
  readonly kind: 'source';
  /** The table's name: `teacher`, `facevq:m`, `jpeg`, ... */
  readonly name: string;
  /**
   * The embedding cache key: the name and a hash of everything the output depends on (model
   * files, settings). Set after {@link SourceMethod.prepare} for methods with a calibration step.
   */
  cacheKey(): string;
  /** What exactly this method is, for the report. */
  describe(): string;
  /** A one-time setup on a few faces (codec calibration); optional. */
  prepare?(sample: readonly Face[], context: PrepareContext): Promise<void>;
  embed(face: Face): Promise<Embedded>;
}

/** A method computed from another method's embedding (cheap, never cached). */
export interface DerivedMethod {
  readonly kind: 'derived';
  readonly name: string;
  /** The name of the source method. */
  readonly from: string;
  describe(): string;
  derive(source: Embedded): Embedded;
}

export type Method = SourceMethod | DerivedMethod;

/** What {@link SourceMethod.prepare} may use. */
export interface PrepareContext {
  /** Our mean wire bytes per face on the sample (the largest over our profiles), if any profile runs. */
  ourMeanBytes?: number;
  /** A folder for setup results worth keeping between runs. */
  cacheDir: string;
}

/** The first 12 hex digits of the SHA-256 of the given strings and files' contents. */
export function fingerprint(parts: readonly (string | { file: string })[]): string {
  const hash = createHash('sha256');
  for (const part of parts) {
    hash.update(typeof part === 'string' ? part : fs.readFileSync(part.file));
    hash.update('\0');
  }
  return hash.digest('hex').slice(0, 12);
}
