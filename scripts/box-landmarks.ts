/**
 * Recomputes the mean-shape map of `src/sdk/box-landmarks.ts`: where face-api's tiny face detector
 * puts the five template landmarks (eye centres, nose tip, mouth corners) relative to the box it
 * returns, as fractions of the box's width and height.
 *
 *   npx tsx scripts/box-landmarks.ts [CACHE_DIR...]   (default: every .cache/teacher/utkface-*)
 *
 * Input: the `facevq teacher` caches (index.jsonl rows with status "ok": the detector's `box` and
 * the 68-point landmarks reduced to five, `lm5`). Output: the mean of (lm5.x - box.x) / box.width
 * and (lm5.y - box.y) / box.height per coordinate, its standard deviation, and the row count, as
 * JSON. Paste `mean` into MEAN_SHAPE.
 */
import fs from 'node:fs';
import path from 'node:path';

interface Row {
  status: string;
  box: { x: number; y: number; width: number; height: number } | null;
  lm5: number[] | null;
}

const root = path.join('.cache', 'teacher');
const dirs = process.argv.slice(2).length > 0
  ? process.argv.slice(2)
  : fs.readdirSync(root).filter((d) => d.startsWith('utkface-')).map((d) => path.join(root, d));

const sum = new Float64Array(10), sumSq = new Float64Array(10);
let rows = 0;
for (const dir of dirs) {
  for (const line of fs.readFileSync(path.join(dir, 'index.jsonl'), 'utf8').split('\n')) {
    if (!line.endsWith('}')) continue;
    const row = JSON.parse(line) as Row;
    if (row.status !== 'ok' || !row.box || !row.lm5 || row.lm5.length !== 10) continue;
    const { x, y, width, height } = row.box;
    for (let i = 0; i < 10; i++) {
      const v = i % 2 === 0 ? (row.lm5[i]! - x) / width : (row.lm5[i]! - y) / height;
      sum[i] = sum[i]! + v;
      sumSq[i] = sumSq[i]! + v * v;
    }
    rows++;
  }
}
if (rows === 0) throw new Error(`no rows with status ok in ${dirs.join(', ')}`);
const mean = Array.from(sum, (s) => +(s / rows).toFixed(4));
const std = Array.from(sumSq, (s, i) => +Math.sqrt(Math.max(0, s / rows - (sum[i]! / rows) ** 2)).toFixed(4));
process.stdout.write(JSON.stringify({ rows, caches: dirs, mean, std }) + '\n');
