/**
 * Runs every method over a list of images, on the same faces (one detection per image shared by
 * all methods), reading and filling the per-method embedding caches, with a progress bar.
 */
import path from 'node:path';
import { createHash } from 'node:crypto';
import { Progress } from '../cli/progress.js';
import { EmbeddingCache, type Embedded } from './embedding-cache.js';
import type { Face, FaceSource } from './faces.js';
import type { Method, SourceMethod } from './methods/index.js';
import { cosine } from './metrics.js';

/** How many faces calibrate the image-codec baselines. */
export const CALIBRATION_FACES = 16;

/** Embeddings of one method, by image path, plus what went wrong. */
export interface MethodEmbeddings {
  byPath: Map<string, Embedded>;
  /** Images this method could not embed (they score 0 against everything), with the first error. */
  failures: { count: number; first?: string };
  /** Seconds spent computing (not reading from cache) and how many faces that covered. */
  compute: { seconds: number; faces: number };
}

/** Options for {@link embedAll}. */
export interface EmbedAllOptions {
  images: readonly string[];
  source: FaceSource;
  /** The methods to report. */
  methods: readonly Method[];
  /** Every source method needed (the reported ones and the sources of derived ones). */
  sources: readonly SourceMethod[];
  /** Folder of the embedding caches and calibration files for this data folder. */
  cacheDir: string;
  /** Images to calibrate on (the first {@link CALIBRATION_FACES} are used). */
  calibrationImages: readonly string[];
  /** Progress label. @default 'eval' */
  label?: string;
}

/** What {@link embedAll} returns. */
export interface EmbedAllResult {
  /** Results by method name (reported methods and the sources they need). */
  methods: Map<string, MethodEmbeddings>;
  /** Time spent detecting and decoding images that some method had to compute. */
  faceTime: { seconds: number; faces: number };
}

/** Embeds every image with every method, on the same detections. */
export async function embedAll(options: EmbedAllOptions): Promise<EmbedAllResult> {
  const { images, source, methods, sources, cacheDir } = options;
  const results = new Map<string, MethodEmbeddings>();
  for (const m of [...sources, ...methods]) {
    if (!results.has(m.name)) results.set(m.name, { byPath: new Map(), failures: { count: 0 }, compute: { seconds: 0, faces: 0 } });
  }
  const caches = new Map<string, EmbeddingCache>();
  const cacheOf = (m: SourceMethod) => {
    let cache = caches.get(m.name);
    if (!cache) caches.set(m.name, (cache = new EmbeddingCache(cacheDir, m.cacheKey())));
    return cache;
  };

  /** One method on one face, through its cache; failures recorded, never thrown. */
  const run = async (m: SourceMethod, face: () => Promise<Face>, file: string): Promise<Embedded | undefined> => {
    const result = results.get(m.name)!;
    const cached = cacheOf(m).get(file);
    if (cached) return cached;
    const failed = (error: unknown) => {
      result.failures.count++;
      result.failures.first ??= `${file}: ${error instanceof Error ? error.message : String(error)}`;
      return undefined;
    };
    let ready: Face;
    try {
      ready = await face(); // detection and decoding are timed apart (faceTime)
    } catch (error) {
      return failed(error);
    }
    const start = performance.now();
    try {
      const value = await m.embed(ready);
      cacheOf(m).put(file, value);
      return value;
    } catch (error) {
      return failed(error);
    } finally {
      result.compute.seconds += (performance.now() - start) / 1000;
      result.compute.faces++;
    }
  };

  // Calibration: our mean bytes on a fixed sample, then each method's one-time setup.
  const preparing = sources.filter((m) => m.prepare);
  if (preparing.length > 0) {
    const settled = await Promise.allSettled(options.calibrationImages.slice(0, CALIBRATION_FACES).map((f) => source.face(f)));
    const sample = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    let ourMeanBytes: number | undefined;
    for (const m of sources.filter((s) => s.name.startsWith('facevq:'))) {
      let bytes = 0;
      for (const face of sample) bytes += (await run(m, async () => face, face.path))?.bytes ?? 0;
      ourMeanBytes = Math.max(ourMeanBytes ?? 0, bytes / sample.length);
    }
    for (const m of preparing) await m.prepare!(sample, { ourMeanBytes, cacheDir });
  }

  const faceTime = { seconds: 0, faces: 0 };
  const timed = async (get: () => Promise<Face>): Promise<Face> => {
    const start = performance.now();
    try {
      return await get();
    } finally {
      faceTime.seconds += (performance.now() - start) / 1000;
      faceTime.faces++;
    }
  };
  const progress = new Progress(images.length, options.label ?? 'eval');
  for (const file of images) {
    let face: Promise<Face> | undefined;
    const getFace = () => (face ??= timed(async () => {
      const f = await source.face(file);
      await f.image();
      return f;
    }));
    const bySource = new Map<string, Embedded | undefined>();
    for (const m of sources) {
      const value = await run(m, getFace, file);
      bySource.set(m.name, value);
      if (value) results.get(m.name)!.byPath.set(file, value);
    }
    for (const m of methods) {
      if (m.kind !== 'derived') continue;
      const from = bySource.get(m.from);
      if (from) results.get(m.name)!.byPath.set(file, m.derive(from));
      else results.get(m.name)!.failures.count++;
    }
    if (!face) await source.face(file).catch(() => undefined); // count detections of fully cached images too
    progress.tick();
  }
  progress.finish();
  return { methods: results, faceTime };
}

/** Cosine similarity of two images' embeddings; 0 when the method failed on either. */
export function pairScore(result: MethodEmbeddings, a: string, b: string): number {
  const x = result.byPath.get(a), y = result.byPath.get(b);
  return x && y ? cosine(x.embedding, y.embedding) : 0;
}

/** The cache folder for a data folder: `<root>/<basename>-<hash of its absolute path>`. */
export function cacheDirFor(root: string, dataDir: string): string {
  const full = path.resolve(dataDir);
  return path.join(root, `${path.basename(full)}-${createHash('sha256').update(full).digest('hex').slice(0, 8)}`);
}
