import { describe, expect, it } from 'vitest';
import { imagesOf, lfwImagePath, lfwView, limitPairs, parseLfwPairs, parsePairsCsv, parseSelectionPairs, View2SelectionError } from './pairs.js';

// Two folds of two matched and two mismatched pairs, in pairs.txt's layout.
const VIEW2 = `2\t2
Ann\t1\t2
Bob\t1\t3
Ann\t1\tCy\t1
Bob\t2\tDee\t4
Eve\t1\t2
Fay\t2\t3
Eve\t1\tGus\t1
Fay\t1\tHal\t2
`;

describe('parseLfwPairs', () => {
  it('reads View 2 folds, matched then mismatched', () => {
    const pairs = parseLfwPairs(VIEW2);
    expect(pairs).toHaveLength(8);
    expect(pairs[0]).toEqual({ a: 'Ann/Ann_0001.jpg', b: 'Ann/Ann_0002.jpg', same: true, fold: 0 });
    expect(pairs[3]).toEqual({ a: 'Bob/Bob_0002.jpg', b: 'Dee/Dee_0004.jpg', same: false, fold: 0 });
    expect(pairs[4]!.fold).toBe(1);
    expect(pairs.map((p) => p.same)).toEqual([true, true, false, false, true, true, false, false]);
  });

  it('cuts a View 1 file (one-number header) into ten folds of each kind', () => {
    const lines = ['20'];
    for (let i = 0; i < 20; i++) lines.push(`P${i}\t1\t2`);
    for (let i = 0; i < 20; i++) lines.push(`P${i}\t1\tQ${i}\t1`);
    const pairs = parseLfwPairs(lines.join('\n'));
    expect(pairs.filter((p) => p.same).map((p) => p.fold)).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9]);
    expect(pairs.filter((p) => !p.same).map((p) => p.fold)).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9]);
  });

  it('rejects a wrong count or a malformed line', () => {
    expect(() => parseLfwPairs('2\t2\nAnn\t1\t2\n')).toThrow(/expected 8/);
    expect(() => parseLfwPairs(VIEW2.replace('Bob\t1\t3', 'Bob\t1\tX\t3'))).toThrow(/line 3/);
    expect(() => parseLfwPairs('x\n')).toThrow(/header/);
  });

  it('pads image numbers to four digits', () => {
    expect(lfwImagePath('Al_Gore', 12)).toBe('Al_Gore/Al_Gore_0012.jpg');
  });
});

describe('parseSelectionPairs', () => {
  const view1 = ['2', 'Ann\t1\t2', 'Bob\t1\t3', 'Ann\t1\tCy\t1', 'Bob\t2\tDee\t4'].join('\n');

  it('tells the views apart by their header', () => {
    expect(lfwView(VIEW2)).toBe(2);
    expect(lfwView(view1)).toBe(1);
  });

  it('refuses View 2 for any choice and names the file', () => {
    expect(() => parseSelectionPairs(VIEW2, 'pairs.txt', 'calibration faces')).toThrow(View2SelectionError);
    expect(() => parseSelectionPairs(VIEW2, 'pairs.txt', 'calibration faces')).toThrow(/pairs\.txt is LFW View 2.*calibration faces must come from View 1/);
    expect(parseSelectionPairs(view1, 'pairsDevTrain.txt', 'calibration faces')).toEqual(parseLfwPairs(view1));
  });
});

describe('parsePairsCsv', () => {
  it('skips a header and cuts folds by row order', () => {
    const rows = ['a,b,same', ...Array.from({ length: 20 }, (_, i) => `x${i}.jpg, y${i}.jpg ,${i % 2}`)];
    const pairs = parsePairsCsv(rows.join('\r\n'));
    expect(pairs).toHaveLength(20);
    expect(pairs[0]).toEqual({ a: 'x0.jpg', b: 'y0.jpg', same: false, fold: 0 });
    expect(pairs[19]!.fold).toBe(9);
    expect(pairs.map((p) => p.fold).filter((f) => f === 3)).toHaveLength(2);
  });

  it('rejects bad rows', () => {
    expect(() => parsePairsCsv('a,b\n')).toThrow(/a,b,same/);
    expect(() => parsePairsCsv('a,b,1\nc,d,yes\n', 1)).toThrow(/row 2/);
    expect(() => parsePairsCsv('a,b,1\n')).toThrow(/10 folds/);
  });
});

describe('limitPairs', () => {
  it('keeps the first pairs of each kind in every fold', () => {
    const pairs = parseLfwPairs(VIEW2);
    const kept = limitPairs(pairs, 4);
    expect(kept.map((p) => [p.fold, p.same])).toEqual([[0, true], [0, false], [1, true], [1, false]]);
    expect(limitPairs(pairs, 100)).toHaveLength(8);
    expect(limitPairs(pairs, 1)).toHaveLength(4); // at least one of each kind per fold
  });

  it('lists distinct images in order', () => {
    expect(imagesOf(parseLfwPairs(VIEW2)).slice(0, 4)).toEqual(['Ann/Ann_0001.jpg', 'Ann/Ann_0002.jpg', 'Bob/Bob_0001.jpg', 'Bob/Bob_0003.jpg']);
  });
});
