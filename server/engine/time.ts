import { DateTime, IANAZone } from 'luxon';

export const isValidZone = (tz: unknown): tz is string =>
  typeof tz === 'string' && tz.length > 0 && IANAZone.isValidZone(tz);

/**
 * Parses a date-time as Capillary sends it: ISO with an offset or `Z`, ISO without a zone,
 * `YYYY-MM-DD HH:mm:ss`, or a bare date. Times without a zone are read in `tz`.
 * Returns epoch ms, or NaN when the text is not a date.
 */
export function parseInstant(value: unknown, tz: string): number {
  if (typeof value === 'number') return Number.isFinite(value) ? value : NaN;
  if (typeof value !== 'string' || value.length > 40) return NaN;
  const text = value.trim().replace(' ', 'T');
  const dt = DateTime.fromISO(text, { zone: tz, setZone: false });
  return dt.isValid ? dt.toMillis() : NaN;
}

/** An inclusive end such as `…T23:59:59.999` or a bare date becomes the next midnight (exclusive). */
export function parseEnd(value: unknown, tz: string): number {
  const ms = parseInstant(value, tz);
  if (Number.isNaN(ms)) return ms;
  const local = DateTime.fromMillis(ms, { zone: tz });
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value.trim()))
    return local.startOf('day').plus({ days: 1 }).toMillis();
  if (local.hour === 23 && local.minute === 59 && local.second === 59)
    return local.startOf('day').plus({ days: 1 }).toMillis();
  return ms;
}

export const startOfDay = (ms: number, tz: string) => DateTime.fromMillis(ms, { zone: tz }).startOf('day').toMillis();

const UNIT: Record<string, 'days' | 'weeks' | 'months' | 'quarters' | 'years'> = {
  DAILY: 'days',
  WEEKLY: 'weeks',
  MONTHLY: 'months',
  QUARTERLY: 'quarters',
  YEARLY: 'years',
};
export const supportedFrequency = (f: string) => f in UNIT || f === 'HALF_YEARLY';

/** `count` consecutive calendar periods from `startMs` in `tz`; a day across a DST change is still one day. */
export function generatePeriods(startMs: number, tz: string, frequencyType: string, count: number) {
  const start = DateTime.fromMillis(startMs, { zone: tz });
  const step = (i: number) =>
    frequencyType === 'HALF_YEARLY' ? start.plus({ months: 6 * i }) : start.plus({ [UNIT[frequencyType]]: i });
  return Array.from({ length: count }, (_, i) => ({ startMs: step(i).toMillis(), endMs: step(i + 1).toMillis() }));
}

export const localDate = (ms: number, tz: string) => DateTime.fromMillis(ms, { zone: tz }).toISODate()!;
export const startOfMonth = (ms: number, tz: string) =>
  DateTime.fromMillis(ms, { zone: tz }).startOf('month').toMillis();
/** Capillary's timestamp style: `2024-11-25T04:36:21.000+0000`. */
export const capTimestamp = (ms: number) =>
  DateTime.fromMillis(ms, { zone: 'utc' }).toFormat("yyyy-MM-dd'T'HH:mm:ss.SSSZZZ");
export const iso = (ms: number) => new Date(ms).toISOString();
