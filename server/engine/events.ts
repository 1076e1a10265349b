import { badRequest, conflict, Codes } from '../errors.js';
import type { Tx } from '../store/types.js';
import type { OrgDoc } from './org.js';
import type { EventDefDoc, EventFieldDoc } from './model.js';

const FIELD_TYPES = [
  'tillCode',
  'couponCode',
  'customer',
  'productSku',
  'productBrand',
  'productCategory',
  'string',
  'double',
  'groupId',
];
const ACTIONS = ['EMFConsumer', 'EIConsumer'];

/** POST /v2/events: a behavioural event definition with typed fields. */
export async function createEventDef(tx: Tx, org: OrgDoc, b: Record<string, any>, now: number): Promise<EventDefDoc> {
  if (typeof b !== 'object' || b === null || Array.isArray(b))
    throw badRequest(Codes.EVENT_INVALID_NAME, 'The body must be an event definition object.');
  if (typeof b.eventName !== 'string' || !/^[A-Za-z][A-Za-z0-9_]{0,99}$/.test(b.eventName)) {
    throw badRequest(
      Codes.EVENT_INVALID_NAME,
      'eventName must start with a letter and hold only letters, digits and _ (at most 100).',
    );
  }
  if (
    !Array.isArray(b.actions) ||
    b.actions.length === 0 ||
    !b.actions.every((a: unknown) => ACTIONS.includes(a as string))
  ) {
    throw badRequest(Codes.EVENT_INVALID_ACTIONS, `actions must be a non-empty array of ${ACTIONS.join(', ')}.`);
  }
  const fields: EventFieldDoc[] = [];
  for (const [i, f] of (Array.isArray(b.fields) ? b.fields : []).entries()) {
    if (typeof f?.name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]{0,99}$/.test(f.name))
      throw badRequest(Codes.EVENT_INVALID_FIELD_TYPE, `fields[${i}].name must be an identifier.`);
    if (!FIELD_TYPES.includes(f.type))
      throw badRequest(Codes.EVENT_INVALID_FIELD_TYPE, `fields[${i}].type must be one of ${FIELD_TYPES.join(', ')}.`);
    if (fields.some((x) => x.name === f.name))
      throw badRequest(Codes.EVENT_INVALID_FIELD_TYPE, `Field "${f.name}" appears twice.`);
    const attrs = f.attributes ?? {};
    if (typeof attrs !== 'object')
      throw badRequest(Codes.EVENT_REQUIRED_FIELD, `fields[${i}].attributes must be an object.`);
    if (attrs.isUniqueKeyField?.value === 'true' && attrs.isRequired?.value !== 'true') {
      throw badRequest(
        Codes.EVENT_REQUIRED_FIELD,
        `Field "${f.name}" is a unique key field and must also be isRequired.`,
      );
    }
    fields.push({
      name: f.name,
      type: f.type,
      attributes: attrs,
      ...(f.identifierType ? { identifierType: f.identifierType } : {}),
    });
  }
  if (await tx.getEventDef(org.id, b.eventName))
    throw conflict(Codes.EVENT_EXISTS, `Event name "${b.eventName}" already exists.`);
  const def: EventDefDoc = {
    eventName: b.eventName,
    description: b.description,
    actions: b.actions,
    fields,
    createdMs: now,
  };
  await tx.putEventDef(org.id, def);
  return def;
}
