/** A decoder's profiles, looked up by the payload's profile id (§2.2). */

import type { Profile } from './profile.js';

/** The profiles a decoder holds, at most one per id (§2.2). */
export class ProfileSet implements Iterable<Profile> {
  readonly #byId: (Profile | undefined)[] = new Array<Profile | undefined>(16).fill(undefined);

  constructor(profiles: Iterable<Profile> = []) {
    for (const p of profiles) this.add(p);
  }

  /**
   * Adds a profile. Adding the same profile (same hash) again does nothing; another profile with
   * a taken id is a RangeError (delete the old one first): §2.2 makes that a configuration error,
   * with no code of §9, so a decoder never has to choose between two profiles.
   */
  add(profile: Profile): this {
    const held = this.#byId[profile.id];
    if (held !== undefined && !sameHash(held, profile)) {
      throw new RangeError(`ProfileSet: id ${profile.id} is taken by "${held.name}"`);
    }
    this.#byId[profile.id] = profile;
    return this;
  }

  /** The profile with this id, if held. */
  get(id: number): Profile | undefined {
    return this.#byId[id];
  }

  has(id: number): boolean {
    return this.#byId[id] !== undefined;
  }

  delete(id: number): boolean {
    const had = this.#byId[id] !== undefined;
    this.#byId[id] = undefined;
    return had;
  }

  get size(): number {
    return this.#byId.reduce((n, p) => n + (p ? 1 : 0), 0);
  }

  *[Symbol.iterator](): Iterator<Profile> {
    for (const p of this.#byId) if (p) yield p;
  }
}

function sameHash(a: Profile, b: Profile): boolean {
  for (let i = 0; i < 32; i++) if (a.sha256[i] !== b.sha256[i]) return false;
  return true;
}

