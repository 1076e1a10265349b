/**
 * Strict JSON types on both APIs: a value must have the type its field documents — `"0x10"`, `true` or
 * `[5]` is refused where a number is expected, never read as 16, 1 or 5 (request bodies are validated
 * without coercion: server/app.ts).
 *
 * The only exceptions are where Capillary's own API documents numbers sent as strings
 * (shared/capillary-api.md); they are listed here, and `capillaryNumber` is used for them and nowhere else:
 * - `POST /v3/targetGroups`, `PUT /v3/targetGroups/{id}/targets/{targetId}`: `targets[].defaultValues[].defaultValue`
 *   ("Strings ("1.00") and numbers are both seen");
 * - `POST …/createPromotion/{type}`: `mandatoryPropertiesValues` `AwardStrategy`, `ExpiryStrategy` and
 *   `TargetGroupId` ("all strings": ids written as strings);
 * - webhooks: `customer_id`, a user id (a number) or an external id / mobile (a string, digits in the sample).
 */
export const CAPILLARY_NUMERIC_STRINGS = [
  'targets[].defaultValues[].defaultValue',
  'promotion.rulesetInfos[].rules[].caseToActions.true[].mandatoryPropertiesValues.{AwardStrategy,ExpiryStrategy,TargetGroupId}',
  'webhook customer_id',
] as const;

/** A plain decimal as Capillary writes numbers in strings: "2", "1.00", "-1"; no hex, exponent, blanks or sign games. */
const DECIMAL = /^-?\d{1,15}(\.\d{1,9})?$/;

/** A JSON number (finite), else NaN. */
export const strictNumber = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : NaN);

/** One of the documented numeric strings above: a finite number or a plain decimal string, else NaN. */
export const capillaryNumber = (v: unknown): number =>
  typeof v === 'string' && DECIMAL.test(v) ? Number(v) : strictNumber(v);
