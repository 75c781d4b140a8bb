/** `--expires` of `keys` and `devices`: a duration from now (`90d`, `12h`, `30m`) or an ISO date. */
import { UsageError } from './args.js';

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds since the epoch when a key given `raw` expires; undefined for no `raw`. */
export function parseExpiry(raw: string | undefined, now = Date.now()): number | undefined {
  if (raw === undefined) return undefined;
  const duration = /^([1-9][0-9]{0,5})([mhd])$/.exec(raw);
  if (duration) return now + Number(duration[1]) * UNIT_MS[duration[2]!]!;
  const date = /^\d{4}-\d{2}-\d{2}(T[\d:.]+Z)?$/.test(raw) ? Date.parse(raw) : NaN;
  if (!Number.isFinite(date)) throw new UsageError(`--expires must be a duration (90d, 12h, 30m) or an ISO date (2027-01-31), got ${JSON.stringify(raw)}`);
  if (date <= now) throw new UsageError(`--expires ${raw} is in the past`);
  return date;
}

/** An expiry for listings: the ISO date, or `never`. */
export const showExpiry = (ms: number | null | undefined): string => (ms === null || ms === undefined ? 'never' : new Date(ms).toISOString());
