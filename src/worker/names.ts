/**
 * Names in URLs and keys: tenants, galleries and subject ids. They are checked once at the API edge
 * so storage keys can join them with `/` unambiguously (a tenant's galleries are namespaced as
 * `tenant/gallery`; neither part may contain `/`).
 */
import { quoted, reject } from './errors.js';

/** Tenant and gallery names: 1..64 of `A-Z a-z 0-9 . _ -`, starting with a letter or digit. */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Subject ids: 1..128 of `A-Z a-z 0-9 . _ - : @ +`, starting with a letter or digit. */
export const SUBJECT_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._\-:@+]{0,127}$/;

/** A tenant's gallery. */
export interface GalleryRef {
  readonly tenant: string;
  readonly gallery: string;
}

/** The storage key of a gallery: `tenant/gallery`. */
export function galleryKey(ref: GalleryRef): string {
  return `${ref.tenant}/${ref.gallery}`;
}

/** Checks a tenant or gallery name; `E_BAD_REQUEST` otherwise. */
export function checkName(kind: 'tenant' | 'gallery', name: string): string {
  if (!NAME_PATTERN.test(name)) reject('E_BAD_REQUEST', `invalid ${kind} name ${quoted(name)}: expected ${NAME_PATTERN}`);
  return name;
}

/** Checks a subject id; `E_BAD_REQUEST` otherwise. */
export function checkSubject(id: string): string {
  if (!SUBJECT_PATTERN.test(id)) reject('E_BAD_REQUEST', `invalid subject id ${quoted(id)}: expected ${SUBJECT_PATTERN}`);
  return id;
}
