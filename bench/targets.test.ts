import { describe, expect, it } from 'vitest';
import { missedTargets } from './targets.js';

describe('missedTargets', () => {
  it('reads both shapes of targets', () => {
    expect(missedTargets({ targets: { fast: true, small: false } })).toEqual(['small']);
    expect(missedTargets({ targets: [{ name: 'rps', pass: false }, { name: 'p99', pass: true }] })).toEqual(['rps']);
    expect(missedTargets({ targets: { fast: true } })).toEqual([]);
  });

  it('counts a bench that failed or reported no targets as a miss', () => {
    expect(missedTargets({ error: 'exited with 1' })).toEqual(['did not run: exited with 1']);
    expect(missedTargets({})).toEqual(['no targets in the report']);
  });
});
