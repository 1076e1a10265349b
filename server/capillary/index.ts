/**
 * The Capillary-compatible API: Capillary's paths, field names and per-family envelopes, over
 * the embedded engine. Server to server only; every route is scoped to the calling organisation.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, StorageUnavailable, badRequest, notFound, Codes } from '../errors.js';
import type { OrgDoc } from '../engine/org.js';
import type { Tx, CustomerRow, TargetGroupQuery } from '../store/types.js';
import type { TargetGroupDoc } from '../model/documents.js';
import { authenticate, issueOAuthToken, OAUTH_TTL_SECONDS } from './auth.js';
import { createEventDef } from '../engine/events.js';
import {
  createTargetGroup,
  enrol,
  loadGroup,
  normaliseTracking,
  unenrol,
  updateTarget,
  updateTargetGroup,
  MAX_PERIODS,
  MAX_STREAK_LEVELS,
  MAX_TARGETS,
} from '../engine/targets.js';
import { createPromotion, MAX_PROMOTION_TARGETS } from '../engine/promotions.js';
import { DomainError } from '../model/errors.js';
import { CAPILLARY_ERRORS } from './errors.js';
import {
  parseEnrolments,
  parseEventDefinition,
  parseNewPromotion,
  parseNewTargetGroup,
  parseTargetGroupUpdate,
  parseTargetUpdate,
  parseUnenrolments,
} from './parse.js';
import { recordOccurrence } from '../engine/occurrence.js';
import { iso, parseInstant } from '../engine/time.js';
import {
  fitting,
  groupWeight,
  PAGE_BYTES,
  renderGroup,
  renderPromotion,
  renderPromotionListItem,
  renderTarget,
  renderUserGroup,
  targetWeight,
  userGroupWeight,
} from './render.js';

declare module 'fastify' {
  interface FastifyRequest {
    org: OrgDoc;
  }
}

type Q = Record<string, string | undefined>;
type Envelope = (status: number, code: string | number, message: string) => unknown;

const v3Envelope: Envelope = (_s, code, message) => ({ data: null, errors: [{ code, message }], warnings: null });
const v2Envelope: Envelope = (_s, code, message) => ({ warnings: [], errors: [{ code, message }] });
const gatewayEnvelope: Envelope = (status, code, message) => ({
  status: { code: status, message: 'failure' },
  validationErrors: [{ code, message }],
  data: null,
});
const webhookEnvelope: Envelope = (_s, code, message) => ({ status: { code, message }, requestId: randomUUID() });

/** The family's envelope for a path of this surface (by prefix), or undefined for a path outside it. */
export function capillaryEnvelope(url: string): Envelope | undefined {
  if (url.startsWith('/v3/')) return v3Envelope;
  if (url.startsWith('/v2/')) return v2Envelope;
  if (url.startsWith('/api_gateway/')) return gatewayEnvelope;
  if (url.startsWith('/webhooks/')) return webhookEnvelope;
  return undefined;
}

/** Renders every failure in the family's envelope: ApiErrors as they are, the engine's DomainErrors by CAPILLARY_ERRORS, Fastify's own 4xx as invalid input, anything else as a masked 500. */
function errorHandler(envelope: Envelope) {
  return (err: FastifyError | ApiError, req: FastifyRequest, reply: FastifyReply) => {
    if (err instanceof StorageUnavailable) {
      req.log.error(`storage unavailable: ${err.reason}`);
      return reply
        .status(503)
        .header('retry-after', '1')
        .send(envelope(503, Codes.STORAGE_UNAVAILABLE, err.message));
    }
    if (err instanceof ApiError) return reply.status(err.status).send(envelope(err.status, err.code, err.message));
    if (err instanceof DomainError) {
      const [status, code] = CAPILLARY_ERRORS[err.code];
      return reply.status(status).send(envelope(status, code, err.message));
    }
    const status = (err as FastifyError).statusCode ?? 500;
    if (status < 500) {
      const message =
        status === 415
          ? 'Send JSON with Content-Type: application/json.'
          : status === 413
            ? 'The request body is too large.'
            : (err as FastifyError).validation
              ? `Invalid input: ${err.message}`
              : `Invalid request: ${err.message}`;
      return reply.status(status).send(envelope(status, Codes.INVALID_INPUT, message));
    }
    req.log.error(err);
    return reply.status(500).send(envelope(500, 500, 'Internal error; the request was not applied.'));
  };
}

/** The deepest nesting a request body may have: the deepest documented body (a promotion) nests 10 levels. */
const MAX_DEPTH = 16;
/** True when `body` nests deeper than MAX_DEPTH; iterative, one visit per object or array. */
function tooDeep(body: unknown): boolean {
  const stack: unknown[] = [body],
    depths: number[] = [1];
  while (stack.length) {
    const v = stack.pop() as object,
      d = depths.pop()!;
    if (d > MAX_DEPTH) return true;
    for (const x of Array.isArray(v) ? v : Object.values(v))
      if (x !== null && typeof x === 'object') {
        stack.push(x);
        depths.push(d + 1);
      }
  }
  return false;
}

function scope(app: FastifyInstance, envelope: Envelope, authenticated = true) {
  app.setErrorHandler(errorHandler(envelope));
  // Before schema validation and authentication: a deeply nested body is refused before any work walks it.
  app.addHook('preValidation', (req, _reply, done) => {
    if (req.body !== null && typeof req.body === 'object' && tooDeep(req.body))
      return done(badRequest(Codes.INVALID_INPUT, `The body nests deeper than ${MAX_DEPTH} levels.`));
    done();
  });
  app.setNotFoundHandler((req, reply) =>
    reply.status(404).send(envelope(404, 404, `No route ${req.method} ${req.url.split('?')[0]}.`)),
  );
  if (authenticated)
    app.addHook('preHandler', async (req) => {
      req.org = await authenticate(req);
    });
}

const flag = (v: string | undefined) => v === 'true' || v === '1';
/** A path or query number: decimal digits only ("0x10", "1e3", " 5" and "" are not numbers). */
const decimal = (v: string | undefined) => (v !== undefined && /^\d{1,15}$/.test(v) ? Number(v) : NaN);
const intParam = (v: string, what: string) => {
  const n = decimal(v);
  if (!Number.isSafeInteger(n) || n <= 0) throw badRequest(Codes.INVALID_INPUT, `${what} must be a positive integer.`);
  return n;
};
const pageParams = (q: Q, max = 100, byDefault = 10) => {
  const limit = q.limit === undefined ? byDefault : decimal(q.limit),
    offset = q.offset === undefined ? 0 : decimal(q.offset);
  if (!Number.isInteger(limit) || limit < 0 || limit > max)
    throw badRequest(Codes.INVALID_INPUT, `limit must be an integer from 0 to ${max}.`);
  if (!Number.isInteger(offset) || offset < 0)
    throw badRequest(Codes.INVALID_INPUT, 'offset must be a non-negative integer.');
  return { limit, offset };
};

/**
 * Request bounds, checked by validation before any work proportional to them: every array a body can send
 * has a maxItems, every free text a maxLength, every count a maximum (docs/operations.md, Request bounds).
 * They add types only where the engine does not check a field with a code of its own (the engine's codes stay).
 */
/**
 * The `pagination` block of a list answer showing `shown` of the `listed` items asked for (fewer when `fitting` cut
 * them by size), and a MORE_ON_NEXT_PAGE warning naming the next offset when the answer was cut by size, or
 * (`warnIfMore`, for lists that Capillary does not page) when anything is left.
 */
function page(shown: number, listed: number, at: { offset: number; limit: number; total: number }, warnIfMore = true) {
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
const MAX_LISTED = 100;

const MAX_IDS = 20,
  MAX_ENROL = 100,
  MAX_TEXT = 1000;
const text = (maxLength: number) => ({ type: 'string', maxLength }) as const;
const bounded = (maxLength: number) => ({ maxLength }) as const; // a string's bound, its type left to the engine
const list = (maxItems: number, items: Record<string, unknown> = {}) => ({ type: 'array', maxItems, items }) as const;
const date = { type: ['string', 'number'], maxLength: 40 } as const;
const targetRule = {
  type: 'object',
  properties: {
    name: bounded(MAX_TEXT),
    description: text(MAX_TEXT),
    active: { type: 'boolean' },
    eventName: bounded(100),
    targetEntity: bounded(40),
    targetType: bounded(40),
    enrolmentMethod: bounded(40),
    extendedFieldInfo: { type: ['object', 'null'], properties: { name: bounded(100), aggregateFunction: bounded(40) } },
    expression: { type: ['string', 'boolean'], maxLength: 2000 },
    expressionJson: text(4000),
    filters: list(MAX_IDS),
    defaultValues: { maxItems: MAX_PERIODS },
  },
} as const;
const targetGroupFields = {
  name: bounded(MAX_TEXT),
  description: text(MAX_TEXT),
  active: { type: 'boolean' },
  userCreated: { type: 'boolean' },
  preferredTillId: { type: ['integer', 'null'] },
  leaderboardEnabled: { type: 'boolean' },
  targets: { maxItems: MAX_TARGETS, items: targetRule },
} as const;
const schemas = {
  oauth: { type: 'object', properties: { key: bounded(200), secret: bounded(200) } },
  createTargetGroup: {
    type: 'object',
    properties: {
      ...targetGroupFields,
      trackingType: bounded(40),
      targetEvaluationType: bounded(40),
      frequencyType: bounded(40),
      timeZoneName: bounded(64),
      frequency: { type: 'number' },
      recurringCycles: { type: 'integer' },
      totalPeriods: { type: 'integer', minimum: 1, maximum: MAX_PERIODS },
      fromDate: date,
      targetCycleStartDate: date,
      periods: list(MAX_PERIODS, {
        type: 'object',
        properties: {
          refCode: text(100),
          description: text(MAX_TEXT),
          active: { type: 'boolean' },
          startDate: date,
          endDate: date,
        },
      }),
      streaks: { maxItems: MAX_STREAK_LEVELS, items: { type: 'object', properties: { name: text(200) } } },
    },
  },
  updateTargetGroup: { type: 'object', properties: targetGroupFields },
  updateTarget: targetRule,
  enrol: list(MAX_ENROL, {
    type: 'object',
    properties: {
      customerId: { type: 'integer' },
      periodName: { type: ['string', 'null'], maxLength: 100 },
      initialBalance: { type: ['number', 'null'] },
      resetStreakStatus: { type: 'boolean' },
    },
  }),
  unenrol: list(MAX_ENROL, { type: 'object', properties: { customerId: { type: 'integer' } } }),
  event: {
    type: 'object',
    properties: {
      eventName: bounded(100),
      description: text(MAX_TEXT),
      actions: { maxItems: 10 },
      fields: {
        maxItems: 100,
        items: { properties: { name: bounded(100), type: bounded(40), attributes: { maxProperties: 20 } } },
      },
    },
  },
  customer: {
    type: 'object',
    properties: {
      externalId: bounded(64),
      profiles: list(10, {
        type: 'object',
        properties: {
          identifiers: list(20, { type: 'object', properties: { type: bounded(40), value: bounded(64) } }),
        },
      }),
    },
  },
  promotion: {
    type: 'object',
    properties: {
      promotion: {
        type: 'object',
        properties: {
          name: bounded(MAX_TEXT),
          identifier: bounded(MAX_TEXT),
          description: text(MAX_TEXT),
          startDate: date,
          endDate: date,
          promotionRestrictions: {
            type: 'object',
            properties: {
              targetGroupIds: { maxItems: MAX_PROMOTION_TARGETS },
              targetRuleIds: { maxItems: MAX_PROMOTION_TARGETS },
            },
          },
          rulesetInfos: {
            maxItems: 5,
            items: {
              properties: {
                filterInfo: { maxItems: MAX_IDS },
                rules: {
                  maxItems: MAX_IDS,
                  items: {
                    properties: {
                      exp: bounded(2000),
                      expJSON: bounded(4000),
                      caseToActions: { properties: { true: { maxItems: MAX_IDS } } },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
  webhook: {
    type: 'object',
    maxProperties: 100,
    properties: {
      event_name: bounded(100),
      customer_id: { type: ['string', 'integer', 'null'], maxLength: 64 },
      eventDateTime: date,
    },
  },
} as const;

async function userOrThrow(tx: Tx, org: OrgDoc, userId: string): Promise<CustomerRow> {
  const n = decimal(userId);
  const c = Number.isSafeInteger(n) ? await tx.getCustomer(org.id, n) : undefined;
  if (!c) throw badRequest(Codes.INVALID_USER, `Invalid userId ${userId}.`);
  return c;
}

/** Customer lookup by `identifierName` (externalId, userId or id) and `identifierValue`. */
async function lookupCustomer(tx: Tx, org: OrgDoc, name: string | undefined, value: string | undefined) {
  if (!name || !value) throw badRequest(Codes.INVALID_INPUT, 'identifierName and identifierValue are required.');
  let c: CustomerRow | undefined;
  if (name === 'externalId') c = await tx.getCustomerByExternalId(org.id, value);
  else if (name === 'userId' || name === 'id')
    c = Number.isSafeInteger(decimal(value)) ? await tx.getCustomer(org.id, decimal(value)) : undefined;
  else throw badRequest(Codes.INVALID_INPUT, 'identifierName must be externalId, userId or id.');
  if (!c) throw notFound(Codes.CUSTOMER_NOT_FOUND, 'Customer not found for the given identifiers.');
  return c;
}

async function v3(app: FastifyInstance) {
  scope(app, v3Envelope, false);
  const { store, clock } = app.ctx;
  /** One page of the organisation's groups matching `query`, as many as fit in one answer. */
  const groupPage = async (
    org: OrgDoc,
    query: TargetGroupQuery,
    render: (g: TargetGroupDoc) => unknown,
    weight: (g: TargetGroupDoc) => number,
    warnIfMore = true,
  ) => {
    const { total, ids, groups } = await store.read(async (tx) => {
      const { total, ids } = await tx.pageTargetGroups(org.id, query);
      return { total, ids, groups: await fitting(ids, async (id) => (await tx.getTargetGroup(org.id, id))!, weight) };
    });
    const p = page(groups.length, ids.length, { offset: query.offset, limit: query.limit, total }, warnIfMore);
    return { pagination: p.pagination, data: groups.map(render), errors: null, warnings: p.warnings };
  };
  app.post('/oauth/token/generate', { schema: { body: schemas.oauth } }, async (req) => {
    const b = req.body as { key?: unknown; secret?: unknown };
    return {
      data: { accessToken: await issueOAuthToken(req, b.key, b.secret), ttlSeconds: OAUTH_TTL_SECONDS },
      errors: null,
    };
  });
  await app.register(async (api) => {
    api.addHook('preHandler', async (req) => {
      req.org = await authenticate(req);
    });
    api.post('/targetGroups', { schema: { body: schemas.createTargetGroup } }, async (req) => {
      const now = clock.now();
      const tg = await store.tx((tx) =>
        createTargetGroup(tx, req.org, parseNewTargetGroup(req.org, req.body), now, 'api'),
      );
      return { data: renderGroup(tg, now), errors: null, warnings: null };
    });
    api.get('/targetGroups', async (req) => {
      const q = req.query as Q,
        now = clock.now(),
        withPeriods = q.includePeriods === undefined || flag(q.includePeriods);
      // limit and offset are this server's: Capillary documents none and answers every group in one list.
      const { limit, offset } = pageParams(q, MAX_LISTED, MAX_LISTED);
      return groupPage(
        req.org,
        {
          includeUserCreated: flag(q.includeUserCreatedTargetGroups),
          ...(flag(q.includeOnlyActive) ? { status: { is: 'LIVE' as const, now } } : {}),
          offset,
          limit,
        },
        (g) => renderGroup(g, now, withPeriods),
        (g) => groupWeight(g, withPeriods),
      );
    });
    api.get('/targetGroups/:id', async (req) => {
      const q = req.query as Q,
        id = intParam((req.params as Q).id!, 'targetGroupId');
      const tg = await store.read((tx) => loadGroup(tx, req.org, id, flag(q.includeUserCreatedTargetGroups)));
      return { data: renderGroup(tg, clock.now()), errors: null, warnings: null };
    });
    api.put('/targetGroups/:id', { schema: { body: schemas.updateTargetGroup } }, async (req) => {
      const id = intParam((req.params as Q).id!, 'targetGroupId');
      const tg = await store.tx((tx) => updateTargetGroup(tx, req.org, id, parseTargetGroupUpdate(req.body)));
      return { data: renderGroup(tg, clock.now()), errors: null, warnings: null };
    });
    api.put('/targetGroups/:id/targets/:targetId', { schema: { body: schemas.updateTarget } }, async (req) => {
      const p = req.params as Q;
      const targetId = intParam(p.targetId!, 'targetId');
      const tg = await store.tx((tx) =>
        updateTarget(tx, req.org, intParam(p.id!, 'targetGroupId'), targetId, parseTargetUpdate(req.body)),
      );
      return {
        data: renderGroup(tg, clock.now()).targets.find((t) => t.id === targetId),
        errors: null,
        warnings: null,
      };
    });
    api.post('/targetGroups/:id/targets/:targetId/enroll', { schema: { body: schemas.enrol } }, async (req) => {
      const p = req.params as Q;
      const rows = await store.tx((tx) =>
        enrol(
          tx,
          req.org,
          intParam(p.id!, 'targetGroupId'),
          intParam(p.targetId!, 'targetId'),
          parseEnrolments(req.body),
          clock.now(),
        ),
      );
      return {
        data: rows.length === 1 ? rows[0].customerId : rows.map((r) => r.customerId),
        errors: null,
        warnings: null,
      };
    });
    api.post('/targetGroups/:id/targets/:targetId/unEnroll', { schema: { body: schemas.unenrol } }, async (req) => {
      const p = req.params as Q;
      const rows = await store.tx((tx) =>
        unenrol(
          tx,
          req.org,
          intParam(p.id!, 'targetGroupId'),
          intParam(p.targetId!, 'targetId'),
          parseUnenrolments(req.body),
          clock.now(),
        ),
      );
      return {
        data: rows.length === 1 ? rows[0].customerId : rows.map((r) => r.customerId),
        errors: null,
        warnings: null,
      };
    });
    api.get('/milestones', async (req) => {
      const q = req.query as Q,
        now = clock.now(),
        withPeriods = q['require-periods'] === undefined || flag(q['require-periods']);
      const { limit, offset } = pageParams(q, MAX_LISTED);
      const type = q.type === undefined ? undefined : normaliseTracking(q.type);
      if (type && !['DEFAULT', 'STREAKS', 'CAPPING', 'UNIFIED'].includes(type))
        throw badRequest(Codes.INVALID_INPUT, 'type must be DEFAULT, STREAKS, CAPPING or UNIFIED.');
      const status = q.status as 'LIVE' | 'UPCOMING' | 'ENDED' | 'STOPPED' | undefined;
      if (status && !['LIVE', 'UPCOMING', 'ENDED', 'STOPPED'].includes(status))
        throw badRequest(Codes.INVALID_INPUT, 'status must be LIVE, UPCOMING, ENDED or STOPPED.');
      return groupPage(
        req.org,
        {
          includeUserCreated: flag(q.includeUserCreatedTargetGroups),
          trackingType: type,
          status: status && { is: status, now },
          nameContains: q.name,
          targetType: q['target-on'],
          offset,
          limit,
        },
        (g) => renderGroup(g, now, withPeriods),
        (g) => groupWeight(g, withPeriods),
        false,
      );
    });
    // Capillary pages neither customer list; `offset` (and `limit`) are this server's, for customers enrolled in
    // more than one answer holds.
    api.get('/users/:userId/enrolledTargets', async (req) => {
      const q = req.query as Q;
      if (q.enrollmentType && !['TRANSACTION', 'IMPORT', 'AUDIENCE_FILTER'].includes(q.enrollmentType))
        throw badRequest(310130, 'Invalid enrollment type as input.');
      const { limit, offset } = pageParams(q, MAX_LISTED, MAX_LISTED);
      const onlyUcc = flag(q.includeOnlyUserCreated),
        withUcc = onlyUcc || flag(q.includeUserCreatedTargetGroups);
      const ruleIds = q.targetRuleIds ? q.targetRuleIds.split(',', MAX_IDS + 1).map(decimal) : null;
      if (ruleIds && (ruleIds.length > MAX_IDS || ruleIds.some(Number.isNaN)))
        throw badRequest(Codes.INVALID_INPUT, `targetRuleIds must be at most ${MAX_IDS} comma-separated ids.`);
      const matching = await store.read(async (tx) => {
        const c = await userOrThrow(tx, req.org, (req.params as Q).userId!);
        const out = [];
        for (const e of await tx.listEnrolmentsForCustomer(c.id, { activeOnly: true })) {
          const tg = await tx.getTargetGroup(req.org.id, e.tgId);
          const t = tg?.targets.find((x) => x.id === e.targetId);
          if (!tg || !t || (tg.userCreated ? !withUcc : onlyUcc)) continue;
          if (ruleIds && !ruleIds.includes(t.id)) continue;
          if (q.enrollmentType && t.enrolmentMethod !== q.enrollmentType) continue;
          out.push({ tg, t });
        }
        return out;
      });
      const listed = matching.slice(offset, offset + limit);
      const shown = await fitting(
        listed,
        (x) => x,
        ({ t }) => targetWeight(t),
      );
      const p = page(shown.length, listed.length, { offset, limit, total: matching.length });
      return {
        ...(matching.length > limit || offset > 0 || p.warnings ? { pagination: p.pagination } : {}),
        data: shown.map(({ tg, t }) => ({ ...renderTarget(tg, t), userCreated: tg.userCreated })),
        errors: null,
        warnings: p.warnings,
      };
    });
    api.get('/users/:userId/targetGroups', async (req) => {
      const q = req.query as Q,
        now = clock.now();
      const { limit, offset } = pageParams(q, MAX_LISTED, MAX_LISTED);
      const withUcc = flag(q.includeUserCreatedTargetGroups) || flag(q.includeOnlyUserCreated);
      const { data, p } = await store.read(async (tx) => {
        const c = await userOrThrow(tx, req.org, (req.params as Q).userId!);
        const matching = [];
        for (const e of await tx.listEnrolmentsForCustomer(c.id, { activeOnly: true })) {
          const tg = await tx.getTargetGroup(req.org.id, e.tgId);
          if (!tg || (tg.userCreated && !withUcc) || (flag(q.includeOnlyUserCreated) && !tg.userCreated)) continue;
          matching.push({ tg, e });
        }
        const listed = matching.slice(offset, offset + limit);
        const shown = await fitting(
          listed,
          (x) => x,
          ({ tg, e }) => userGroupWeight(tg, e),
        );
        const p = page(shown.length, listed.length, { offset, limit, total: matching.length });
        const groups = [];
        for (const { tg, e } of shown)
          groups.push(
            renderUserGroup(
              tg,
              e,
              await tx.listProgress(e.id),
              await tx.listCompletions(e.id, { liveOnly: true }),
              now,
            ),
          );
        const data = {
          userId: c.id,
          customer: {
            id: c.id,
            profiles: [{ identifiers: [{ type: 'externalId', value: c.externalId }] }],
            loyaltyInfo: { loyaltyType: 'loyalty' },
            customFields: {},
          },
          targetGroups: groups,
        };
        return { data, p: matching.length > limit || offset > 0 || p.warnings ? p : null };
      });
      return { ...(p ? { pagination: p.pagination } : {}), data, errors: null, warnings: p?.warnings ?? null };
    });
  });
}

async function v2(app: FastifyInstance) {
  scope(app, v2Envelope);
  const { store, clock } = app.ctx;
  app.post('/events', { schema: { body: schemas.event } }, async (req) => {
    await store.tx((tx) => createEventDef(tx, req.org, parseEventDefinition(req.body), clock.now()));
    return { warnings: [], errors: [] };
  });
  app.get('/events', async (req) => {
    // limit and offset are this server's (Capillary lists every event at once); an answer holds at most PAGE_BYTES.
    const { limit, offset } = pageParams(req.query as Q, MAX_LISTED, MAX_LISTED);
    const { total, listed, defs } = await store.read(async (tx) => {
      const { total, names } = await tx.pageEventDefs(req.org.id, { offset, limit });
      const defs = await fitting(
        names,
        async (n) => ({ def: (await tx.getEventDef(req.org.id, n.eventName))!, bytes: n.bytes }),
        (x) => x.bytes,
      );
      return { total, listed: names.length, defs };
    });
    const p = page(defs.length, listed, { offset, limit, total });
    return {
      ...(total > defs.length ? { pagination: p.pagination } : {}),
      data: defs.map(({ def: d }, i) => ({
        clickEventsMeta: { eventId: offset + i + 1, eventName: d.eventName, actions: d.actions, fields: d.fields },
      })),
      warnings: p.warnings ?? [],
      errors: [],
    };
  });
  app.post('/customers', { schema: { body: schemas.customer } }, async (req) => {
    const b = req.body as Record<string, any>;
    const identifiers: unknown[] =
      Array.isArray(b.profiles) && Array.isArray(b.profiles[0]?.identifiers) ? b.profiles[0].identifiers : [];
    const fromProfile = (identifiers.find((i: any) => i?.type === 'externalId') as { value?: unknown } | undefined)
      ?.value;
    const externalId = b.externalId ?? fromProfile;
    if (typeof externalId !== 'string' || !/^[\w.@+-]{1,64}$/.test(externalId)) {
      throw badRequest(Codes.INVALID_INPUT, 'externalId is required: 1–64 letters, digits or . _ @ + -.');
    }
    const row = await store.tx(async (tx) => {
      if (await tx.getCustomerByExternalId(req.org.id, externalId))
        throw new ApiError(409, Codes.CUSTOMER_EXISTS, `A customer with externalId "${externalId}" already exists.`);
      return tx.insertCustomer({ orgId: req.org.id, externalId, timeZone: null, createdMs: clock.now() });
    });
    return { createdId: row.id, warnings: [], errors: [] };
  });
  app.get('/customers/lookup', async (req) => {
    const q = req.query as Q;
    const c = await store.read((tx) => lookupCustomer(tx, req.org, q.identifierName, q.identifierValue));
    return {
      id: c.id,
      externalId: c.externalId,
      profiles: [{ identifiers: [{ type: 'externalId', value: c.externalId }] }],
      loyaltyInfo: { loyaltyType: 'loyalty' },
      warnings: [],
      errors: [],
    };
  });
  app.get('/customers/lookup/points/balance', async (req) => {
    const q = req.query as Q;
    const c = await store.read((tx) => lookupCustomer(tx, req.org, q.identifierName, q.identifierValue));
    return {
      entityId: c.id,
      mainPoints: c.balance,
      totalPoints: c.balance,
      promisedPointsBreakup: { delayedAccrualPoints: 0, externalTriggerBasedPoints: 0 },
      warnings: [],
    };
  });
  app.get('/customers/:id/loyaltyEvents', async (req) => {
    const q = req.query as Q;
    const { limit } = pageParams(q, 500);
    const rows = await store.read(async (tx) => {
      const c = await lookupCustomer(tx, req.org, 'userId', (req.params as Q).id);
      return tx.listLedger(c.id, { limit, beforeId: q.before ? decimal(q.before) : undefined });
    });
    const type = q.eventType;
    const data = rows
      .filter((r) => !type || (type === 'EARN' ? r.type === 'EARN' : type === 'REVERSAL' && r.type === 'REVERSAL'))
      .map((r) => ({
        id: r.id,
        eventType: r.type,
        points: r.points,
        promotionId: r.promotionId,
        description: r.description,
        reversed: r.reversed,
        eventDate: iso(r.createdMs),
        expiryDate: r.expiresMs ? iso(r.expiresMs) : null,
      }));
    return { data, warnings: [], errors: [] };
  });
}

async function gateway(app: FastifyInstance) {
  scope(app, gatewayEnvelope);
  const { store, clock } = app.ctx;
  app.post(
    '/programs/:programId/createPromotion/:promotionType',
    { schema: { body: schemas.promotion } },
    async (req) => {
      const p = req.params as Q;
      const row = await store.tx((tx) =>
        createPromotion(
          tx,
          req.org,
          parseNewPromotion(req.org, decimal(p.programId), p.promotionType!, req.body),
          clock.now(),
        ),
      );
      return { status: { code: 200, message: 'success' }, validationErrors: null, data: [renderPromotion(row)] };
    },
  );
  const list = async (req: FastifyRequest) => {
    const q = req.query as Q,
      programId = decimal((req.params as Q).programId);
    if (programId !== req.org.programId)
      throw notFound(Codes.PROGRAM_NOT_FOUND, `Program ${(req.params as Q).programId} not found in this organisation.`);
    const { limit, offset } = pageParams(q);
    if (!q.sourceType)
      throw badRequest(Codes.INVALID_INPUT, 'sourceType is required (USER_CREATED for user-created challenges).');
    const customerId = q.customerId ? decimal(q.customerId) : null;
    if (Number.isNaN(customerId)) throw badRequest(Codes.INVALID_INPUT, 'customerId must be a user id (digits).');
    return store.read(async (tx) => {
      const { rows, total } = await tx.listPromotions(req.org.id, programId, {
        sourceType: q.sourceType,
        includeInactive: flag(q.includeInactivePromotions),
        limit,
        offset,
      });
      const filtered = q.promotionId ? rows.filter((r) => String(r.id) === q.promotionId) : rows;
      const promotions = [];
      for (const r of filtered)
        promotions.push(renderPromotionListItem(r, customerId ? await tx.ledgerUsage(r.id, customerId) : null));
      return {
        pageDetails: {
          pageNumber: limit ? Math.floor(offset / limit) : 0,
          pageSize: limit,
          totalEntries: total,
          pageCount: limit ? Math.ceil(total / limit) : 0,
        },
        customerId,
        promotions,
        warnings: [],
      };
    });
  };
  app.get('/programs/:programId/promotionsV2', list);
  app.get('/programs/:programId/userCreatedPromotions', list);
}

async function webhooks(app: FastifyInstance) {
  scope(app, webhookEnvelope, false);
  const { store, clock } = app.ctx;
  app.post('/:webhookId', { schema: { body: schemas.webhook } }, async (req) => {
    const org = app.ctx.orgs.byWebhook((req.params as Q).webhookId!);
    if (!org) throw notFound(404, 'Unknown webhook.');
    const caller = await authenticate(req);
    if (caller.id !== org.id) throw notFound(404, 'Unknown webhook.');
    const { event_name, customer_id, external_event_id, eventDateTime, ...fields } = req.body as Record<string, any>;
    if (typeof event_name !== 'string' || !event_name) throw badRequest(Codes.EVENT_UNKNOWN, 'event_name is required.');
    if (
      external_event_id !== undefined &&
      (typeof external_event_id !== 'string' || !external_event_id || external_event_id.length > 128)
    ) {
      throw badRequest(Codes.INVALID_INPUT, 'external_event_id must be a non-empty string of at most 128 characters.');
    }
    const now = clock.now();
    const result = await store.tx(async (tx) => {
      const key = customer_id === undefined || customer_id === null ? '' : String(customer_id);
      const customer =
        (/^\d+$/.test(key) ? await tx.getCustomer(org.id, Number(key)) : undefined) ??
        (key ? await tx.getCustomerByExternalId(org.id, key) : undefined);
      if (!customer)
        throw badRequest(
          Codes.EVENT_CUSTOMER_UNKNOWN,
          `customer_id "${key}" is not a customer of this organisation (user id or external id).`,
        );
      const occurredMs =
        eventDateTime === undefined ? now : parseInstant(eventDateTime, customer.timeZone ?? org.timeZone);
      if (Number.isNaN(occurredMs))
        throw badRequest(Codes.EVENT_TIME_INVALID, 'eventDateTime must look like "YYYY-MM-DD HH:mm:ss" or ISO 8601.');
      return recordOccurrence(
        tx,
        org,
        {
          eventName: event_name,
          customerId: customer.id,
          externalEventId: external_event_id ?? null,
          occurredMs,
          fields,
        },
        now,
      );
    });
    // Answered after the commit, so a read that follows sees the event's effects.
    return {
      status: {
        code: 1100,
        message: result.duplicate
          ? 'Duplicate event ignored (external_event_id already processed)'
          : 'Event is pushed to transformation state',
      },
      requestId: randomUUID(),
      eventId: result.event.id,
    };
  });
}

export async function capillaryRoutes(app: FastifyInstance) {
  app.decorateRequest('org', null as unknown as OrgDoc);
  await app.register(v3, { prefix: '/v3' });
  await app.register(v2, { prefix: '/v2' });
  await app.register(gateway, { prefix: '/api_gateway/loyalty/v1' });
  await app.register(webhooks, { prefix: '/webhooks' });
}
