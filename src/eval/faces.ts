/**
 * The faces an evaluation looks at: each image of a dataset with its detection (box and five
 * landmarks) and, where `facevq teacher` already computed it, the teacher's raw descriptor.
 *
 * Detections come, in this order, from the teacher caches of `facevq teacher` (same code,
 * `FaceApi.detect(image, true)`, so reusing them is honest; landmarks are rounded to 0.01 px at
 * detection, in align.ts, so stored and fresh ones give the same crop), from this module's own
 * cache, or from running face-api now. Both caches are keyed on the detection code's version
 * (code-versions.ts): a cache made by other detection code is not read. Images without a detected face
 * get face-api's fallback box (a central square) and are counted.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import type { Box, FaceApi } from '../sdk/node/faceapi.js';
import { decodeImage, type RgbImage } from '../sdk/node/image.js';
import { codeKey } from './code-versions.js';

/** One face of the evaluation. */
export interface Face {
  /** Path relative to the data folder (the key of every cache). */
  path: string;
  box: Box;
  landmarks5: number[];
  /** True when no face was detected and the fallback box was used. */
  fallback: boolean;
  /** The teacher's raw descriptor (view 0) from `facevq teacher`'s cache, when it holds this image. */
  cachedTeacher?: CachedDescriptor;
  /** The decoded image (decoded on first use, then kept). */
  image(): Promise<RgbImage>;
}

/** Decodes an image file (see `decodeImage`). */
export async function readImage(file: string): Promise<RgbImage> {
  const bytes = fs.readFileSync(file);
  return decodeImage(bytes);
}

/**
 * A raw descriptor from a `facevq teacher` cache, with what its `meta.json` says made it: caches
 * of different teachers (faceres, face-api's dlib) share a root, so users check `teacher`.
 */
export interface CachedDescriptor {
  /** The cache's teacher name (a faceres cache's starts with `FaceRes.id`). */
  teacher: string;
  /** The side of the aligned chip the cache was made with. */
  chipSide: number;
  /** The teacher code key (`codeKey('teacher')`) of the code that made it; '' when not recorded. */
  code: string;
  /** View 0, `descriptorDim` floats. */
  descriptor: Float32Array;
}

interface Detection {
  box: Box;
  lm5: number[];
  fallback: boolean;
  teacher?: CachedDescriptor;
}

/** What `facevq teacher` writes in `meta.json` (the fields read here). */
interface CacheMeta {
  data?: string;
  views?: number;
  descriptorDim?: number;
  teacher?: string;
  crop?: { size?: number };
  /** `codeKey(...)` of the stages that made the rows (absent in caches made before keys existed). */
  code?: { detection?: string; teacher?: string };
}

/** What {@link readTeacherCaches} found. */
export interface TeacherCaches {
  /** Detections (and view-0 descriptors) by image path. */
  detections: Map<string, Detection>;
  /** Caches of this data folder skipped because other detection code made them. */
  stale: string[];
}

/**
 * Reads every `facevq teacher` cache under `cacheRoot` made from `dataDir` (its `meta.json` names
 * the data folder) by today's detection code (`detectionKey`, by default `codeKey('detection')`):
 * detections and view-0 descriptors by image path. Failed rows are skipped, and so are caches
 * whose `meta.json` lacks the row layout (views, descriptorDim).
 */
export function readTeacherCaches(cacheRoot: string, dataDir: string, detectionKey = codeKey('detection')): TeacherCaches {
  const out = new Map<string, Detection>();
  const stale: string[] = [];
  if (!fs.existsSync(cacheRoot)) return { detections: out, stale };
  const data = path.resolve(dataDir);
  for (const name of fs.readdirSync(cacheRoot).sort()) {
    const dir = path.join(cacheRoot, name);
    const metaFile = path.join(dir, 'meta.json');
    if (!fs.existsSync(metaFile)) continue;
    const meta = JSON.parse(fs.readFileSync(metaFile, 'utf8')) as CacheMeta;
    if (meta.data === undefined || path.resolve(meta.data) !== data) continue;
    if (meta.code?.detection !== detectionKey) {
      stale.push(dir);
      continue;
    }
    const { views, descriptorDim: dim } = meta;
    if (!Number.isInteger(views) || !Number.isInteger(dim) || views! < 1 || dim! < 1) continue;
    const rowFloats = views! * dim!;
    const teacherFile = path.join(dir, 'teacher.f32');
    const raw = fs.existsSync(teacherFile) ? fs.readFileSync(teacherFile) : Buffer.alloc(0);
    const floats = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length - (raw.length % 4)));
    const lines = fs.readFileSync(path.join(dir, 'index.jsonl'), 'utf8').split('\n');
    // A cache being written may have a row in index.jsonl before its descriptor, or a half line.
    const rows = Math.min(lines.filter((l) => l.endsWith('}')).length, Math.floor(floats.length / rowFloats));
    for (let i = 0; i < rows; i++) {
      const row = JSON.parse(lines[i]!) as { path: string; status: string; box: Box | null; lm5: number[] | null };
      if (row.status === 'failed' || !row.box || !row.lm5) continue;
      const descriptor = floats.slice(i * rowFloats, i * rowFloats + dim!);
      const teacher = { teacher: meta.teacher ?? '', chipSide: meta.crop?.size ?? 0, code: meta.code?.teacher ?? '', descriptor };
      out.set(row.path, { box: row.box, lm5: row.lm5, fallback: row.status === 'fallback', teacher });
    }
  }
  return { detections: out, stale };
}

/** Counts of where detections came from. */
export interface FaceStats {
  /** Faces whose detection came from a `facevq teacher` cache. */
  teacherCache: number;
  /** Faces whose detection came from this module's own cache. */
  ownCache: number;
  /** Faces detected in this run. */
  detected: number;
  /** Faces without a detection (fallback box), whatever the source. */
  fallback: number;
}

/** Options for {@link FaceSource}. */
export interface FaceSourceOptions {
  /** Root of the `facevq teacher` caches. @default .cache/teacher */
  teacherCacheRoot?: string;
  /** Folder of this module's detection cache. @default .cache/eval/detect */
  detectCacheDir?: string;
  /** face-api, loaded on first need. */
  faceApi: () => Promise<FaceApi>;
}

/** Faces of one data folder, with detections cached across runs. */
export class FaceSource {
  private readonly teacherCache: Map<string, Detection>;
  /** `facevq teacher` caches of this data folder that other detection code made (not read). */
  readonly staleTeacherCaches: readonly string[];
  private readonly ownCache = new Map<string, Detection>();
  private readonly ownCacheFile: string;
  /** Where each face served so far got its detection (the first time it was asked for). */
  private readonly served = new Map<string, { source: 'teacherCache' | 'ownCache' | 'detected'; fallback: boolean }>();

  constructor(readonly dataDir: string, private readonly options: FaceSourceOptions) {
    const teacherCaches = readTeacherCaches(options.teacherCacheRoot ?? path.join('.cache', 'teacher'), dataDir);
    this.teacherCache = teacherCaches.detections;
    this.staleTeacherCaches = teacherCaches.stale;
    const dir = options.detectCacheDir ?? path.join('.cache', 'eval', 'detect');
    // One file per data folder and detection code: other code's detections are never read.
    const id = createHash('sha256').update(path.resolve(dataDir)).update('\0').update(codeKey('detection')).digest('hex').slice(0, 12);
    this.ownCacheFile = path.join(dir, `${path.basename(path.resolve(dataDir))}-${id}.jsonl`);
    if (fs.existsSync(this.ownCacheFile)) {
      for (const line of fs.readFileSync(this.ownCacheFile, 'utf8').split('\n')) {
        if (!line.endsWith('}')) continue;
        const row = JSON.parse(line) as { path: string; box: Box; lm5: number[]; fallback: boolean };
        this.ownCache.set(row.path, row);
      }
    }
  }

  /** Where the detections of `files` (faces already served) came from, and how many fell back. */
  statsFor(files: Iterable<string>): FaceStats {
    const stats: FaceStats = { teacherCache: 0, ownCache: 0, detected: 0, fallback: 0 };
    for (const file of files) {
      const s = this.served.get(file);
      if (!s) continue;
      stats[s.source]++;
      if (s.fallback) stats.fallback++;
    }
    return stats;
  }

  /** How many images the teacher caches cover. */
  get teacherCacheSize(): number {
    return this.teacherCache.size;
  }

  /** The face of image `file` (relative to the data folder). */
  async face(file: string): Promise<Face> {
    const full = path.join(this.dataDir, file);
    let decoded: Promise<RgbImage> | undefined;
    const image = () => (decoded ??= readImage(full));

    let found = this.teacherCache.get(file);
    let source: 'teacherCache' | 'ownCache' | 'detected' = 'teacherCache';
    if (!found) {
      found = this.ownCache.get(file);
      source = 'ownCache';
    }
    if (!found) {
      const faceApi = await this.options.faceApi();
      const hit = await faceApi.detect(await image(), true);
      if (!hit) throw new Error(`no face and no fallback for ${file}`); // detect(…, true) always answers
      found = { box: hit.box, lm5: hit.landmarks5, fallback: hit.fallback };
      this.ownCache.set(file, found);
      fs.mkdirSync(path.dirname(this.ownCacheFile), { recursive: true });
      fs.appendFileSync(this.ownCacheFile, JSON.stringify({ path: file, ...found }) + '\n');
      source = 'detected';
    }
    if (!this.served.has(file)) this.served.set(file, { source, fallback: found.fallback });
    return { path: file, box: found.box, landmarks5: found.lm5, fallback: found.fallback, cachedTeacher: found.teacher, image };
  }
}
