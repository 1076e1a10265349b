/** Query-string dates of the widget API: an ISO instant, or a YYYY-MM-DD date in the customer's time zone. */
import { parseEnd, parseInstant } from '../../engine/time.js';
import { widgetError } from '../errors.js';

/**
 * A `from`/`to` bound in ms: an ISO instant as it is, a date as the start of that day (`end` false) or
 * the end of it (`end` true, so both days are included); undefined stays undefined; anything else is
 * refused (400 VALIDATION_FAILED naming `querystring.<field>`).
 */
export function parseBound(value: string | undefined, field: string, end: boolean, tz: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = end ? parseEnd(value, tz) : parseInstant(value, tz);
  if (Number.isNaN(ms))
    throw widgetError(400, 'VALIDATION_FAILED', `${field} must be an ISO date-time or a YYYY-MM-DD date.`, {
      field: `querystring.${field}`,
    });
  return ms;
}
