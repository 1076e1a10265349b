/** Behavioural event definitions: a name and typed fields. */
import { DomainError } from '../model/errors.js';
import type { NewEventDefinition } from '../model/commands.js';
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
export const EVENT_NAME_RULE = 'eventName must start with a letter and hold only letters, digits and _ (at most 100).';
export const ACTIONS_RULE = `actions must be a non-empty array of ${ACTIONS.join(', ')}.`;

/** A behavioural event definition with typed fields. */
export async function createEventDef(tx: Tx, org: OrgDoc, cmd: NewEventDefinition, now: number): Promise<EventDefDoc> {
  if (!/^[A-Za-z][A-Za-z0-9_]{0,99}$/.test(cmd.eventName)) throw new DomainError('EVENT_NAME_INVALID', EVENT_NAME_RULE);
  if (cmd.actions.length === 0 || !cmd.actions.every((a) => ACTIONS.includes(a)))
    throw new DomainError('EVENT_ACTIONS_INVALID', ACTIONS_RULE);
  const fields: EventFieldDoc[] = [];
  for (const [i, f] of cmd.fields.entries()) {
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,99}$/.test(f.name))
      throw new DomainError('EVENT_FIELD_INVALID', `fields[${i}].name must be an identifier.`);
    if (!FIELD_TYPES.includes(f.type))
      throw new DomainError('EVENT_FIELD_INVALID', `fields[${i}].type must be one of ${FIELD_TYPES.join(', ')}.`);
    if (fields.some((x) => x.name === f.name))
      throw new DomainError('EVENT_FIELD_INVALID', `Field "${f.name}" appears twice.`);
    const attrs = f.attributes ?? {};
    if (attrs.isUniqueKeyField?.value === 'true' && attrs.isRequired?.value !== 'true') {
      throw new DomainError(
        'EVENT_FIELD_ATTRIBUTES_INVALID',
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
  if (await tx.getEventDef(org.id, cmd.eventName))
    throw new DomainError('EVENT_EXISTS', `Event name "${cmd.eventName}" already exists.`);
  const def: EventDefDoc = {
    eventName: cmd.eventName,
    description: cmd.description,
    actions: cmd.actions,
    fields,
    createdMs: now,
  };
  await tx.putEventDef(org.id, def);
  return def;
}
