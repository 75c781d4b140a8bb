/**
 * Per-method embeddings kept on disk between runs, so rerunning an evaluation (another `--limit`,
 * another report) costs nothing for images already seen.
 *
 * One JSON-lines file per method key (`<dir>/<key>.jsonl`); the key names the method and hashes
 * everything its output depends on (model files, settings), so a changed model never reads stale
 * rows. A row is `{ "path", "bytes", "embedding" }`, the embedding as base64 little-endian float32.
 * A half-written last line (an interrupted run) is ignored.
 */
import fs from 'node:fs';
import path from 'node:path';

/** What a method produces for one face. */
export interface Embedded {
  embedding: Float32Array;
  /** Wire bytes for this face. */
  bytes: number;
}

/** The embeddings of one method key. */
export class EmbeddingCache {
  private readonly rows = new Map<string, Embedded>();
  private readonly file: string;

  /** Opens (and reads) `<dir>/<key>.jsonl`; the file is created on the first {@link put}. */
  constructor(dir: string, key: string) {
    if (!/^[\w.:@+-]+$/.test(key)) throw new RangeError(`EmbeddingCache: key ${JSON.stringify(key)} is not a safe file name`);
    this.file = path.join(dir, `${key.replace(/:/g, '_')}.jsonl`);
    if (!fs.existsSync(this.file)) return;
    for (const line of fs.readFileSync(this.file, 'utf8').split('\n')) {
      if (!line.endsWith('}')) continue;
      const row = JSON.parse(line) as { path: string; bytes: number; embedding: string };
      const raw = Buffer.from(row.embedding, 'base64');
      this.rows.set(row.path, { bytes: row.bytes, embedding: new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length)) });
    }
  }

  get size(): number {
    return this.rows.size;
  }

  get(imagePath: string): Embedded | undefined {
    return this.rows.get(imagePath);
  }

  /** Stores and appends one row. */
  put(imagePath: string, value: Embedded): void {
    this.rows.set(imagePath, value);
    const embedding = Buffer.from(value.embedding.buffer, value.embedding.byteOffset, value.embedding.byteLength).toString('base64');
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    fs.appendFileSync(this.file, JSON.stringify({ path: imagePath, bytes: value.bytes, embedding }) + '\n');
  }
}
