/**
 * Where `facevq serve` puts the first API key it creates: on the terminal when stdout is one, or
 * else (stdout is a pipe or a log file, where a key would stay in logs) into `DB.first-key`, a
 * file only its owner may read, whose path alone is printed. Delete the file once the key is
 * stored elsewhere.
 */
import { writeFileSync } from 'node:fs';

/** The file the key goes to when stdout is not a terminal. */
export const firstKeyFileOf = (db: string): string => `${db}.first-key`;

/** Hands `key` to the operator once; returns what was printed. */
export function handOverFirstKey(key: string, db: string, terminal = process.stdout.isTTY === true): string {
  const about = 'created the first API key (tenant "default", scope write)';
  if (terminal) return `${about}; it is shown only this once:\n  ${key}\n`;
  const file = firstKeyFileOf(db);
  writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  return `${about}; stdout is not a terminal, so it is in ${file} (mode 0600), not in this log: read it, store it, delete the file\n`;
}
