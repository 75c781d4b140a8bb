/**
 * The synthetic test profiles of spec/vectors/profiles/, made with makeTestProfile (seeded, so
 * the same bytes on every run). Each one exists for a reason given beside it.
 */

import { makeTestProfile } from '../../src/codec/_testing.js';
import type { NamedProfile } from './_tools.js';

function named(name: string, opts: Parameters<typeof makeTestProfile>[0]): NamedProfile {
  const t = makeTestProfile({ ...opts, name });
  return { name, bytes: t.bytes, profile: t.profile };
}

/** The first seed from `seed` whose profile's tag (§2.2) does or does not equal `tag`. */
function withTag(name: string, opts: NonNullable<Parameters<typeof makeTestProfile>[0]>, tag: number, same: boolean): NamedProfile {
  for (let seed = opts.seed ?? 1; ; seed++) {
    const p = named(name, { ...opts, seed });
    if ((p.profile.tag === tag) === same) return p;
  }
}

export function makeProfiles(): Map<string, NamedProfile> {
  const list: NamedProfile[] = [];
  // 2x2, K = 5: not a power of two, so mode 0 has out-of-range indices 5..7 (§5) and padding.
  const tiny = named('tiny', { id: 1, h: 2, w: 2, k: 5, dim: 2, seed: 11 });
  list.push(tiny);
  // Product quantisation, G = 2 planes with different K (16 and 6): 7 bits a position (§1).
  list.push(named('pq', { id: 2, h: 4, w: 4, k: [16, 6], dim: [2, 3], seed: 12 }));
  // 8x8, K = 512 with one context table per index (mode 2, §6.6); room for long mode-1 bodies.
  list.push(named('ctx512', { id: 3, h: 8, w: 8, k: 512, dim: 4, seed: 13, context: true, maxBytes: 1024 }));
  // G = 3, mixed K (2, 7, 300) and dims, with contexts: 13 bits a position, 2 padding bits.
  list.push(named('mixed', { id: 4, h: 3, w: 2, k: [2, 7, 300], dim: [1, 2, 3], seed: 14, context: true }));
  // maxBytes = 3 + B0 exactly (4x4, K = 16: B0 = 8): the bound of §7 with no slack.
  list.push(named('tight', { id: 5, h: 4, w: 4, k: 16, dim: 2, seed: 15, maxBytes: 11 }));
  // 1x2, K = 4096 and 3: the largest table log of mode 3, R = 14 (§6.7.1).
  list.push(named('k4096', { id: 6, h: 1, w: 2, k: [4096, 3], dim: 1, seed: 16, maxBytes: 1024 }));
  // Same id as tiny: one with the same tag (only the check byte tells them apart, §3) and one
  // with another tag (§2.2).
  list.push(withTag('tiny-twin', { id: 1, h: 2, w: 2, k: 5, dim: 2, seed: 100 }, tiny.profile.tag, true));
  list.push(withTag('tiny-other', { id: 1, h: 2, w: 2, k: 5, dim: 2, seed: 200 }, tiny.profile.tag, false));
  return new Map(list.map((p) => [p.name, p]));
}
