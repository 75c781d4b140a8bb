/** Optional vectors (spec/vectors/optional/): useful, not required for conformance. */

import { encodeGrid } from '../../src/codec/index.js';
import { makeRng, sampleGrid } from '../../src/codec/_testing.js';
import type { NamedProfile, VectorSet } from './_tools.js';

export function optionalVectors(set: VectorSet, P: ReadonlyMap<string, NamedProfile>): void {
  const f = set.file('optional/payload/several-profiles.json', 'payload', 'A decoder holding several profiles picks the one named by the payload id (§2.2). Optional: a decoder may hold one profile.');
  const names = ['tiny', 'pq', 'ctx512', 'mixed'];
  const rng = makeRng(12000);
  for (const name of names) {
    const p = P.get(name)!.profile;
    for (const mode of [0, 1] as const) {
      f.decode(names, encodeGrid(sampleGrid(p, rng, 1), p, { mode }), `${name}, mode ${mode}, among ${names.length} profiles`, '§2.2', 'valid');
    }
  }
  const tight = P.get('tight')!.profile;
  f.decode(names, encodeGrid(sampleGrid(tight, rng, 1), tight, { mode: 1 }), 'a payload of profile id 5, not among those held', '§2.2', 'E_PROFILE_UNKNOWN');
}
