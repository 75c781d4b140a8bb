/**
 * Device keys and signature policies in the Node SQLite database (tables `device_keys` and
 * `signed_galleries`). A key is never stored: each row holds a random salt, and the key is
 * HMAC-SHA-256(master, salt), where the 32-byte master lives outside the database (a file with
 * mode 0600 beside it, `adapter/device-master.ts`). A copy of the database alone yields no key.
 */
import { hmacSha256 } from '../../codec/auth.js';
import type { GalleryRef } from '../names.js';
import type { SqlDriver } from '../store/sql-records.js';
import { requiredBy, type DeviceKey, type DeviceRegistry, type SignaturePolicy } from './devices.js';

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS device_keys (
     tenant TEXT NOT NULL, key_id TEXT NOT NULL, salt BLOB NOT NULL, galleries TEXT, label TEXT,
     created_at INTEGER NOT NULL, expires_at INTEGER, revoked_at INTEGER, PRIMARY KEY (tenant, key_id))`,
  `CREATE TABLE IF NOT EXISTS signed_galleries (tenant TEXT NOT NULL, gallery TEXT NOT NULL, PRIMARY KEY (tenant, gallery))`,
];

/** A device key's row, as `devices list` shows it (no key material). */
export interface DeviceRow {
  tenant: string;
  keyId: string;
  galleries: string[] | null;
  label: string | null;
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
}

/** What `add` needs besides the tenant. */
export interface NewDevice {
  galleries?: readonly string[];
  label?: string;
  expiresAt?: number;
}

/** Minimal big-endian hex of a positive integer: 1 → `01`, 256 → `0100` (short ids keep payloads short). */
function keyIdHex(n: number): string {
  const hex = n.toString(16);
  return hex.length % 2 ? `0${hex}` : hex;
}

/** {@link DeviceRegistry} over SQL, deriving keys from `master`. */
export class SqlDeviceRegistry implements DeviceRegistry {
  constructor(
    private readonly db: SqlDriver,
    /** The master key; null when none exists yet (then no key verifies). */
    private readonly master: Uint8Array | null,
  ) {
    for (const s of SCHEMA) db.run(s);
  }

  async lookup(tenant: string, keyId: string): Promise<DeviceKey | null> {
    if (!this.master) return null;
    const [row] = this.db.all('SELECT salt, galleries, expires_at FROM device_keys WHERE tenant = ? AND key_id = ? AND revoked_at IS NULL', tenant, keyId);
    if (!row) return null;
    return {
      tenant,
      keyId,
      secret: await hmacSha256(this.master, row.salt as Uint8Array),
      ...(row.galleries !== null && { galleries: JSON.parse(String(row.galleries)) as string[] }),
      ...(row.expires_at !== null && { expiresAt: Number(row.expires_at) }),
    };
  }

  policy(ref: GalleryRef): SignaturePolicy {
    const rows = this.db.all('SELECT gallery FROM signed_galleries WHERE tenant = ?', ref.tenant);
    return requiredBy(rows.map((r) => `${ref.tenant}/${String(r.gallery)}`), ref) ? 'required' : 'optional';
  }

  /**
   * Adds a key for `tenant` with the next free key id (ids are never reused, revoked ones
   * included, so a payload signed under a revoked key can never verify again) and returns it.
   */
  async add(tenant: string, device: NewDevice = {}, now = Date.now()): Promise<DeviceKey> {
    if (!this.master) throw new Error('device keys need a master key');
    const ids = this.db.all('SELECT key_id FROM device_keys WHERE tenant = ?', tenant).map((r) => parseInt(String(r.key_id), 16));
    const keyId = keyIdHex(Math.max(0, ...ids) + 1);
    const salt = crypto.getRandomValues(new Uint8Array(16));
    this.db.run(
      'INSERT INTO device_keys (tenant, key_id, salt, galleries, label, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      tenant, keyId, salt, device.galleries ? JSON.stringify(device.galleries) : null, device.label ?? null, now, device.expiresAt ?? null,
    );
    return (await this.lookup(tenant, keyId))!;
  }

  /** Revokes a key: its next payload fails. False when no live key has that id. */
  revoke(tenant: string, keyId: string, now = Date.now()): boolean {
    if (this.db.all('SELECT 1 FROM device_keys WHERE tenant = ? AND key_id = ? AND revoked_at IS NULL', tenant, keyId).length === 0) return false;
    this.db.run('UPDATE device_keys SET revoked_at = ? WHERE tenant = ? AND key_id = ?', now, tenant, keyId);
    return true;
  }

  /** Every key, revoked ones included, by tenant and id. */
  list(): DeviceRow[] {
    return this.db.all('SELECT * FROM device_keys ORDER BY tenant, length(key_id), key_id').map((r) => ({
      tenant: String(r.tenant),
      keyId: String(r.key_id),
      galleries: r.galleries === null ? null : (JSON.parse(String(r.galleries)) as string[]),
      label: r.label === null ? null : String(r.label),
      createdAt: Number(r.created_at),
      expiresAt: r.expires_at === null ? null : Number(r.expires_at),
      revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
    }));
  }

  /** Sets a gallery's policy (`*`: all of the tenant's galleries). */
  setPolicy(tenant: string, gallery: string, policy: SignaturePolicy): void {
    if (policy === 'required') this.db.run('INSERT OR IGNORE INTO signed_galleries (tenant, gallery) VALUES (?, ?)', tenant, gallery);
    else this.db.run('DELETE FROM signed_galleries WHERE tenant = ? AND gallery = ?', tenant, gallery);
  }

  /** The `tenant/gallery` rules that require signatures. */
  rules(): string[] {
    return this.db.all('SELECT tenant, gallery FROM signed_galleries ORDER BY tenant, gallery').map((r) => `${String(r.tenant)}/${String(r.gallery)}`);
  }
}
