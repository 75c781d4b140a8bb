import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { codeKey } from './code-versions.js';
import { FaceSource, readTeacherCaches } from './faces.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'facevq-faces-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
const data = path.join(root, 'data');

/** A one-row `facevq teacher` cache of `data` stamped with `detection` as its detection code key. */
function teacherCache(name: string, detection: string | undefined): void {
  const dir = path.join(root, 'teacher', name);
  fs.mkdirSync(dir, { recursive: true });
  const code = detection === undefined ? undefined : { detection, teacher: codeKey('teacher') };
  fs.writeFileSync(path.join(dir, 'meta.json'), JSON.stringify({ data, views: 1, descriptorDim: 2, teacher: 'faceres-x', crop: { size: 64 }, code }));
  fs.writeFileSync(path.join(dir, 'index.jsonl'), JSON.stringify({ path: `${name}.jpg`, status: 'ok', box: { x: 1, y: 2, width: 3, height: 4 }, lm5: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10.25] }) + '\n');
  fs.writeFileSync(path.join(dir, 'teacher.f32'), new Uint8Array(new Float32Array([0.5, -0.5]).buffer));
}

describe('readTeacherCaches', () => {
  teacherCache('current', codeKey('detection'));
  teacherCache('older', 'detection=0123456789ab');
  teacherCache('unstamped', undefined);

  it('reads only caches made by today\'s detection code', () => {
    const { detections, stale } = readTeacherCaches(path.join(root, 'teacher'), data);
    expect([...detections.keys()]).toEqual(['current.jpg']);
    expect(detections.get('current.jpg')).toMatchObject({ lm5: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10.25], teacher: { code: codeKey('teacher'), chipSide: 64 } });
    expect(stale.map((d) => path.basename(d)).sort()).toEqual(['older', 'unstamped']);
  });

  it('keys FaceSource\'s own detection cache on the detection code', async () => {
    const detectCacheDir = path.join(root, 'detect');
    const source = new FaceSource(data, { teacherCacheRoot: path.join(root, 'teacher'), detectCacheDir, faceApi: () => Promise.reject(new Error('no detector in this test')) });
    expect(source.staleTeacherCaches).toHaveLength(2);
    await expect(source.face('older.jpg')).rejects.toThrow('no detector');
    expect((await source.face('current.jpg')).landmarks5).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10.25]);
    // A cache file under the name it had before detection code keyed it (data path only) is not read.
    const unkeyed = createHash('sha256').update(path.resolve(data)).digest('hex').slice(0, 12);
    fs.mkdirSync(detectCacheDir, { recursive: true });
    fs.writeFileSync(path.join(detectCacheDir, `data-${unkeyed}.jsonl`), JSON.stringify({ path: 'older.jpg', box: { x: 0, y: 0, width: 1, height: 1 }, lm5: [], fallback: false }) + '\n');
    const again = new FaceSource(data, { teacherCacheRoot: path.join(root, 'teacher'), detectCacheDir, faceApi: () => Promise.reject(new Error('no detector in this test')) });
    await expect(again.face('older.jpg')).rejects.toThrow('no detector');
  });
});
