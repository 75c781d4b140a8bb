import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { errorTable, statusOf } from './errors.js';
import { openApiDocument } from './openapi.js';

describe('error codes', () => {
  it('README lists every service code and the special codec codes with their status', () => {
    const readme = readFileSync(new URL('./README.md', import.meta.url), 'utf8');
    for (const { code, status } of errorTable()) {
      if (status === 422) continue; // the README groups the payload codes in one row
      expect(readme, code).toMatch(new RegExp(`\\| \`${code}\` \\| ${status} \\|`));
    }
    expect(statusOf('E_CHECK')).toBe(422);
  });

  it('the OpenAPI document carries the same table', () => {
    const doc = openApiDocument() as { components: { schemas: { Error: { 'x-status-of-code': Record<string, number> } } } };
    expect(doc.components.schemas.Error['x-status-of-code']).toEqual(Object.fromEntries(errorTable().map((e) => [e.code, e.status])));
  });
});
