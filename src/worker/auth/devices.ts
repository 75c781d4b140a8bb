/**
 * Device keys: the HMAC keys devices sign their payloads with (spec §13), and each gallery's
 * policy on signed payloads. Unlike API keys, a device key cannot be stored as a hash: the
 * service recomputes the tag, so it needs the key. On Node the database keeps only a random salt
 * per key and the key is HMAC-SHA-256(master, salt), the master living in a separate file
 * (`sql-devices.ts`); on Workers the records, keys included, are the `FACEVQ_DEVICES` secret,
 * which Cloudflare keeps encrypted.
 */
import type { GalleryRef } from '../names.js';

/** A live device key. */
export interface DeviceKey {
  tenant: string;
  /** The key id the payload carries (extension 0x03), lowercase hex of 1..8 bytes. */
  keyId: string;
  /** The HMAC-SHA-256 key. */
  secret: Uint8Array;
  /** When set, the only galleries its payloads may be used on. */
  galleries?: readonly string[];
  /** Milliseconds since the epoch after which the key fails; absent: no expiry. */
  expiresAt?: number;
}

/** A gallery's rule for payloads. */
export type SignaturePolicy = 'required' | 'optional';

/** Where device keys and gallery policies come from. */
export interface DeviceRegistry {
  /** The tenant's key with this id, or null when unknown or revoked. */
  lookup(tenant: string, keyId: string): Promise<DeviceKey | null> | DeviceKey | null;
  /** Whether the gallery accepts only signed payloads (`required`) or also unsigned ones. */
  policy(ref: GalleryRef): Promise<SignaturePolicy> | SignaturePolicy;
}

/** A registry with no keys: every gallery takes unsigned payloads, a signed one fails its tag. */
export const NO_DEVICES: DeviceRegistry = { lookup: () => null, policy: () => 'optional' };

/** Lowercase hex of bytes. */
export const toHex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

/** Bytes of an even-length hex string; TypeError when it is not one. */
export function fromHex(hex: string): Uint8Array {
  if (!/^([0-9a-f]{2})*$/i.test(hex)) throw new TypeError(`not hex: ${JSON.stringify(hex)}`);
  return Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16));
}

/** A key id as hex: 1..8 bytes (§4 type 0x03). */
export const KEY_ID_PATTERN = /^([0-9a-f]{2}){1,8}$/;

/**
 * The galleries a policy rule names: `tenant/gallery`, or `tenant/*` for all of a tenant's.
 * True when `rules` make `ref` require signed payloads.
 */
export function requiredBy(rules: Iterable<string>, ref: GalleryRef): boolean {
  for (const rule of rules) if (rule === `${ref.tenant}/${ref.gallery}` || rule === `${ref.tenant}/*`) return true;
  return false;
}

/** One device record of the `FACEVQ_DEVICES` secret. */
interface DeviceJson {
  tenant: string;
  keyId: string;
  /** The key, hex. */
  secret: string;
  galleries?: string[];
  expiresAt?: number;
}

/** Checks one record of the secret; TypeError when malformed. */
function checkDeviceJson(value: unknown): DeviceKey {
  const v = value as Partial<Record<keyof DeviceJson, unknown>>;
  if (typeof v !== 'object' || v === null) throw new TypeError('device record must be an object');
  if (typeof v.tenant !== 'string' || v.tenant === '') throw new TypeError('device record: tenant must be a non-empty string');
  if (typeof v.keyId !== 'string' || !KEY_ID_PATTERN.test(v.keyId)) throw new TypeError('device record: keyId must be 1..8 bytes of lowercase hex');
  if (typeof v.secret !== 'string' || !/^([0-9a-f]{2}){16,64}$/.test(v.secret)) throw new TypeError('device record: secret must be 16..64 bytes of lowercase hex');
  const galleries = v.galleries;
  if (galleries !== undefined && !(Array.isArray(galleries) && galleries.every((g) => typeof g === 'string'))) {
    throw new TypeError('device record: galleries must be an array of names');
  }
  if (v.expiresAt !== undefined && !Number.isSafeInteger(v.expiresAt)) throw new TypeError('device record: expiresAt must be milliseconds since 1970');
  return {
    tenant: v.tenant,
    keyId: v.keyId,
    secret: fromHex(v.secret),
    ...(galleries && { galleries: galleries as string[] }),
    ...(typeof v.expiresAt === 'number' && { expiresAt: v.expiresAt }),
  };
}

/** The record of a key for the `FACEVQ_DEVICES` secret. */
export function deviceJson(key: DeviceKey): DeviceJson {
  return {
    tenant: key.tenant,
    keyId: key.keyId,
    secret: toHex(key.secret),
    ...(key.galleries && { galleries: [...key.galleries] }),
    ...(key.expiresAt !== undefined && { expiresAt: key.expiresAt }),
  };
}

/**
 * Device keys and policies held in memory: the Worker's `FACEVQ_DEVICES` secret (a JSON array of
 * records) and `FACEVQ_SIGNED` variable (a JSON array of `tenant/gallery` or `tenant/*` rules).
 * Revoking a key is removing its record from the secret.
 */
export class StaticDeviceRegistry implements DeviceRegistry {
  private readonly byId: Map<string, DeviceKey>;

  constructor(keys: Iterable<DeviceKey>, private readonly required: readonly string[] = []) {
    this.byId = new Map([...keys].map((k) => [`${k.tenant}/${k.keyId}`, k]));
  }

  /** Parses the secret and the rules; TypeError when malformed. */
  static fromJson(devices: string, required: string): StaticDeviceRegistry {
    const keys: unknown = JSON.parse(devices);
    if (!Array.isArray(keys)) throw new TypeError('FACEVQ_DEVICES must be a JSON array of device records');
    const rules: unknown = JSON.parse(required);
    if (!Array.isArray(rules) || !rules.every((r) => typeof r === 'string' && /^[^/]+\/[^/]+$/.test(r))) {
      throw new TypeError('FACEVQ_SIGNED must be a JSON array of "tenant/gallery" or "tenant/*"');
    }
    return new StaticDeviceRegistry(keys.map(checkDeviceJson), rules as string[]);
  }

  lookup(tenant: string, keyId: string): DeviceKey | null {
    return this.byId.get(`${tenant}/${keyId}`) ?? null;
  }

  policy(ref: GalleryRef): SignaturePolicy {
    return requiredBy(this.required, ref) ? 'required' : 'optional';
  }
}
