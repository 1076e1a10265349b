/** The customer's own record (`/me`) and the templates offered to them (`/templates`). */
import type { Me, TemplatesResponse } from '../../../contract/widget-api.js';
import type { Tx } from '../../store/types.js';
import { isValidZone } from '../../engine/time.js';
import { customerZone } from '../challenges.js';
import { widgetError } from '../errors.js';
import { templatesIn, type Lang } from '../i18n.js';
import type { Customer, ServiceDeps } from './deps.js';

export interface MeInput extends Customer {
  externalId: string;
}

async function meView(deps: ServiceDeps, tx: Tx, { org, customerId, externalId }: MeInput): Promise<Me> {
  const c = await tx.getCustomer(org.id, customerId);
  const balance = await deps.loyaltyFor(org).balance(tx, org, c);
  return { id: externalId, timeZone: customerZone(org, c?.timeZone), balance };
}

/** The customer: id, time zone (theirs, else the organisation's), points balance. */
export async function getMe(deps: ServiceDeps, who: MeInput): Promise<Me> {
  await deps.loyaltyFor(who.org).beforeRead?.(deps.store, who.org, who.customerId, 'balance');
  return deps.store.read((tx) => meView(deps, tx, who));
}

/** Sets the customer's time zone (an IANA name, else 422 INVALID_TIME_ZONE); answers the customer. */
export function setTimeZone(deps: ServiceDeps, who: MeInput, timeZone: string): Promise<Me> {
  if (!isValidZone(timeZone))
    throw widgetError(422, 'INVALID_TIME_ZONE', `"${timeZone}" is not an IANA time zone name (e.g. Europe/Berlin).`);
  return deps.store.tx(async (tx) => {
    await tx.setCustomerTimeZone(who.customerId, timeZone);
    return meView(deps, tx, who);
  });
}

/** The brand's templates in `lang`, its policy, and the customer's time zone. */
export async function templatesFor(
  deps: ServiceDeps,
  { org, customerId }: Customer,
  lang: Lang,
): Promise<TemplatesResponse> {
  const c = await deps.store.read((tx) => tx.getCustomer(org.id, customerId));
  return { templates: templatesIn(org, lang), policy: org.policy, timeZone: customerZone(org, c?.timeZone) };
}
