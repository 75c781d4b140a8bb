/**
 * The master key of device keys on Node (`auth/sql-devices.ts`): 32 random bytes as hex in a file
 * beside the database, `FILE.db.device-master`, created with mode 0600. Keep it out of database
 * backups (or back it up apart): with the database alone no device key can be derived.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { fromHex } from '../auth/devices.js';

/** The master file of the database `db`. */
export const masterFileOf = (db: string): string => `${db}.device-master`;

/** The master key in `file`; null when the file is absent and `create` is false. */
export function readMaster(file: string, create: boolean): Uint8Array | null {
  if (!existsSync(file)) {
    if (!create) return null;
    writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  }
  const hex = readFileSync(file, 'utf8').trim();
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new Error(`${file}: expected 64 hex digits (the device master key)`);
  return fromHex(hex);
}
