import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { MethodEmbeddings } from './embed.js';
import { identify, probeRanks, splitIdentities, template } from './identify.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'facevq-identify-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
for (const [id, n] of [['s1', 10], ['s2', 3], ['s10', 2]] as const) {
  fs.mkdirSync(path.join(dir, id));
  for (let i = 1; i <= n; i++) fs.writeFileSync(path.join(dir, id, `${i}.pgm`), '');
}
fs.writeFileSync(path.join(dir, 's1', 'notes.txt'), '');

describe('splitIdentities', () => {
  it('enrolls the first K images in natural order', () => {
    const split = splitIdentities(dir, 2);
    expect(split.identities).toEqual(['s1', 's2', 's10']);
    expect(split.enroll.get('s1')).toEqual(['s1/1.pgm', 's1/2.pgm']);
    expect(split.probes.filter((p) => p.identity === 's1').map((p) => p.path).slice(-2)).toEqual(['s1/9.pgm', 's1/10.pgm']);
    expect(split.probes.filter((p) => p.identity === 's10')).toEqual([]); // only enrolls
    expect(split.probes).toHaveLength(8 + 1);
  });

  it('rejects K < 1', () => {
    expect(() => splitIdentities(dir, 0)).toThrow(RangeError);
  });
});

describe('template and ranks', () => {
  it('averages normalised vectors', () => {
    const t = template([[2, 0], [0, 5]]);
    expect(t[0]).toBeCloseTo(Math.SQRT1_2, 12);
    expect(t[1]).toBeCloseTo(Math.SQRT1_2, 12);
  });

  it('ranks the true identity; ties count against the probe', () => {
    const templates = new Map([['a', [1, 0]], ['b', [0, 1]], ['c', [Math.SQRT1_2, Math.SQRT1_2]]]);
    const ranks = probeRanks(templates, [
      { identity: 'a', vector: [1, 0.1] },
      { identity: 'b', vector: [1, 0.1] },
      { identity: 'c', vector: [1, 1] },
      { identity: 'a', vector: [0, 1] }, // a ties with nobody but c and b beat it
      { identity: 'b', vector: undefined },
    ]);
    expect(ranks).toEqual([1, 3, 1, 3, Infinity]);
    expect(probeRanks(new Map([['a', [1, 0]], ['b', [1, 0]]]), [{ identity: 'a', vector: [1, 0] }])).toEqual([2]);
  });

  it('computes top-1 and top-5 and bytes from embeddings', () => {
    const split = { identities: ['a', 'b'], enroll: new Map([['a', ['a/1']], ['b', ['b/1']]]), probes: [{ identity: 'a', path: 'a/2' }, { identity: 'b', path: 'b/2' }] };
    const e = (x: number, y: number, bytes: number) => ({ embedding: Float32Array.from([x, y]), bytes });
    const result: MethodEmbeddings = {
      byPath: new Map([['a/1', e(1, 0, 10)], ['b/1', e(0, 1, 20)], ['a/2', e(1, 0.2, 30)], ['b/2', e(1, 0.1, 40)]]),
      failures: { count: 0 },
      compute: { seconds: 0, faces: 0 },
    };
    expect(identify('x', result, split)).toEqual({ name: 'x', bytesMean: 25, bytesMax: 40, top1: 0.5, top5: 1, probes: 2, failures: 0 });
  });
});
