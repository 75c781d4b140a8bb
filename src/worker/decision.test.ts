import { describe, expect, it } from 'vitest';
import { makeTestProfile } from '../codec/_testing.js';
import { parseK, parseLimit, parsePrecision, resolveThreshold } from './decision.js';

const { profile } = makeTestProfile();

describe('query options', () => {
  it('resolves far in any spelling, a raw threshold, and refuses both', () => {
    expect(resolveThreshold(profile, undefined, undefined)).toEqual({ threshold: profile.thresholds.far1e3, far: 1e-3 });
    expect(resolveThreshold(profile, '0.01', undefined)).toEqual({ threshold: profile.thresholds.far1e2, far: 1e-2 });
    expect(resolveThreshold(profile, '1e-4', undefined)).toEqual({ threshold: profile.thresholds.far1e4, far: 1e-4 });
    expect(resolveThreshold(profile, undefined, '0.25')).toEqual({ threshold: 0.25, far: null });
    for (const [far, t] of [['0.5', undefined], ['x', undefined], [undefined, '1.5'], [undefined, ''], ['1e-2', '0.3']] as const) {
      expect(() => resolveThreshold(profile, far, t)).toThrow(expect.objectContaining({ code: 'E_BAD_REQUEST' }));
    }
  });

  it('parses k, limit and precision', () => {
    expect(parseK(undefined, 100)).toBe(5);
    expect(parseK('7', 100)).toBe(7);
    for (const bad of ['1.5', '0x10', '1e1', ' 7', '07', '+7', '', '0']) {
      expect(() => parseK(bad, 100), bad).toThrow(expect.objectContaining({ code: 'E_BAD_REQUEST' }));
      expect(() => parseLimit(bad, 100, 1000), bad).toThrow(expect.objectContaining({ code: 'E_BAD_REQUEST' }));
    }
    expect(() => resolveThreshold(profile, undefined, '0x1')).toThrow(expect.objectContaining({ code: 'E_BAD_REQUEST' }));
    expect(parseLimit(undefined, 100, 1000)).toBe(100);
    expect(() => parseLimit('1001', 100, 1000)).toThrow(expect.objectContaining({ code: 'E_BAD_REQUEST' }));
    expect(parsePrecision('i8', 'f32')).toBe('i8');
    expect(parsePrecision(undefined, 'f32')).toBe('f32');
  });
});
