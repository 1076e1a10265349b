/** Query and path parameters of the Capillary-compatible surface, and the bounds and `pagination` block of list answers. */
import { badRequest, Codes } from '../errors.js';
import { PAGE_BYTES } from './render.js';

/** A request's query string or path parameters, as Fastify hands them over. */
export type Q = Record<string, string | undefined>;

export const flag = (v: string | undefined) => v === 'true' || v === '1';
/** A path or query number: decimal digits only ("0x10", "1e3", " 5" and "" are not numbers). */
export const decimal = (v: string | undefined) => (v !== undefined && /^\d{1,15}$/.test(v) ? Number(v) : NaN);
export const intParam = (v: string, what: string) => {
  const n = decimal(v);
  if (!Number.isSafeInteger(n) || n <= 0) throw badRequest(Codes.INVALID_INPUT, `${what} must be a positive integer.`);
  return n;
};
export const pageParams = (q: Q, max = 100, byDefault = 10) => {
  const limit = q.limit === undefined ? byDefault : decimal(q.limit),
    offset = q.offset === undefined ? 0 : decimal(q.offset);
  if (!Number.isInteger(limit) || limit < 0 || limit > max)
    throw badRequest(Codes.INVALID_INPUT, `limit must be an integer from 0 to ${max}.`);
  if (!Number.isInteger(offset) || offset < 0)
    throw badRequest(Codes.INVALID_INPUT, 'offset must be a non-negative integer.');
  return { limit, offset };
};

/**
 * The `pagination` block of a list answer showing `shown` of the `listed` items asked for (fewer when `fitting` cut
 * them by size), and a MORE_ON_NEXT_PAGE warning naming the next offset when the answer was cut by size, or
 * (`warnIfMore`, for lists that Capillary does not page) when anything is left.
 */
export function page(
  shown: number,
  listed: number,
  at: { offset: number; limit: number; total: number },
  warnIfMore = true,
) {
  const cut = shown < listed,
    more = at.offset + shown < at.total;
  return {
    pagination: { limit: cut ? shown : at.limit, offset: at.offset, total: at.total },
    warnings:
      more && (cut || warnIfMore)
        ? [
            {
              code: Codes.MORE_ON_NEXT_PAGE,
              message: `This answer holds ${shown} of ${at.total} from offset ${at.offset}${cut ? ` (an answer holds at most ${PAGE_BYTES / 1e6} MB)` : ''}; ask again with offset=${at.offset + shown} for the rest.`,
            },
          ]
        : null,
  };
}
/** The most groups or enrolments one list answer holds (fewer when they are large: see `page`). */
export const MAX_LISTED = 100;
/** The most ids one query parameter or body array lists. */
export const MAX_IDS = 20;
