/**
 * Where the end-to-end tests get their profiles and payloads. Today: synthetic profiles written to
 * a temporary folder and synthetic people (`syntheticPayloads`). To run the same tests on real
 * faces, return the shipped `models/` folder and a {@link PayloadSource} whose `capture(person, n)`
 * encodes the n-th photo of a person with the SDK (e.g. LFW people with 3+ photos: photo 0 is
 * enrolled, later photos must be identified as that person).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Profile } from '../../src/codec/index.js';
import { syntheticPayloads, testProfiles, type PayloadSource } from './fixtures.js';

/** A folder of profiles and a source of payloads under one of them. */
export interface E2eSetup {
  profilesDir: string;
  profile: Profile;
  source: PayloadSource;
}

/** Synthetic profiles in a temporary folder and 20 synthetic people. */
export function e2eSetup(): E2eSetup {
  const { m, files } = testProfiles();
  const profilesDir = mkdtempSync(join(tmpdir(), 'facevq-profiles-'));
  files.forEach((bytes, i) => writeFileSync(join(profilesDir, `p${i}.fvqp`), bytes));
  return { profilesDir, profile: m, source: syntheticPayloads(m, 20) };
}
