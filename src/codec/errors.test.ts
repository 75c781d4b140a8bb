import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, FacevqError, fail, isFacevqError } from './errors.js';

describe('errors', () => {
  it('lists exactly the codes of the §9 table, in order', () => {
    const spec = readFileSync(new URL('../../spec/FORMAT.md', import.meta.url), 'utf8');
    const section = spec.slice(spec.indexOf('## 9. Error codes'), spec.indexOf('## 10.'));
    const codes = [...section.matchAll(/^\| `(E_[A-Z_]+)` \|/gm)].map((m) => m[1]);
    expect(codes).toEqual([...ERROR_CODES]);
  });

  it('fail throws a FacevqError with code and bit position', () => {
    let caught: unknown;
    try {
      fail('E_CHECK', 16);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(FacevqError);
    expect(caught).toBeInstanceOf(Error);
    expect(isFacevqError(caught, 'E_CHECK')).toBe(true);
    expect(isFacevqError(caught, 'E_EMPTY')).toBe(false);
    expect((caught as FacevqError).bitPos).toBe(16);
    expect((caught as FacevqError).message).toMatch(/^E_CHECK: .* at bit 16$/);
  });

  it('defaults the bit position to -1', () => {
    expect(new FacevqError('E_GRID').bitPos).toBe(-1);
  });
});
