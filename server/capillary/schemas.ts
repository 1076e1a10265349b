/** The body schemas of the Capillary-compatible routes, by route (`schemas.oauth`, `schemas.createTargetGroup`, …). */
import { MAX_PERIODS, MAX_STREAK_LEVELS, MAX_TARGETS } from '../engine/targets.js';
import { MAX_PROMOTION_TARGETS } from '../engine/promotions.js';
import { MAX_IDS } from './query.js';

/**
 * Request bounds, checked by validation before any work proportional to them: every array a body can send
 * has a maxItems, every free text a maxLength, every count a maximum (docs/operations.md, Request bounds).
 * They add types only where the engine does not check a field with a code of its own (the engine's codes stay).
 */
const MAX_ENROL = 100,
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
/** A customer named in a body: by user id or external id (mobile and email are refused: this server keeps neither). */
const customerIds = {
  type: 'object',
  properties: {
    id: { type: ['integer', 'string'], maxLength: 20 },
    userId: { type: ['integer', 'string'], maxLength: 20 },
    externalId: text(64),
    external_id: text(64),
    mobile: text(64),
    email: text(200),
  },
} as const;
export const schemas = {
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
  // Spending points (docs/rewards.md): request ids, codes and transaction numbers are bounded; amounts are numbers.
  v11Redeem: {
    type: 'object',
    required: ['root'],
    properties: {
      root: {
        type: 'object',
        required: ['redeem'],
        properties: {
          redeem: {
            type: 'array',
            maxItems: MAX_IDS,
            items: {
              type: 'object',
              properties: {
                points_redeemed: { type: ['integer', 'string'], maxLength: 15 },
                customer: customerIds,
                transaction_number: text(200),
                external_reference_number: text(200),
                validation_code: text(200),
              },
            },
          },
        },
      },
    },
  },
  reverse: {
    type: 'object',
    properties: {
      redemptionId: { type: ['integer', 'string'], maxLength: 20 },
      pointsToBeReversed: { type: ['number', 'null'] },
      identifier: {
        type: 'object',
        properties: { type: text(40), value: { type: ['string', 'integer'], maxLength: 64 } },
      },
    },
  },
  couponSeries: {
    type: 'object',
    properties: {
      description: text(MAX_TEXT),
      discountCode: text(200),
      discountType: text(20),
      discountValue: { type: 'number', minimum: 0 },
      discountUpto: { type: ['number', 'null'], minimum: 0 },
      discountOn: text(20),
      expiryStrategyType: text(40),
      expiryStrategyValue: { type: ['integer', 'string'], maxLength: 10 },
      validTillDate: date,
      maxRedeem: { type: ['integer', 'null'] },
      minBillAmount: { type: ['number', 'null'] },
      clientHandlingType: text(40),
    },
  },
  couponIssue: {
    type: 'object',
    properties: { seriesId: { type: ['integer', 'string'], maxLength: 20 }, customer: customerIds },
  },
  couponRedeem: {
    type: 'object',
    properties: {
      redemptionRequestList: {
        type: 'array',
        maxItems: MAX_IDS,
        items: { type: 'object', properties: { code: text(64) } },
      },
      user: customerIds,
      billAmount: { type: ['number', 'null'], minimum: 0 },
      transactionNumber: text(200),
      redemptionTime: date,
    },
  },
  rewardIssue: {
    type: 'object',
    properties: {
      ...customerIds.properties,
      brand: text(200),
      transactionNumber: text(200),
      requestId: text(200),
      programId: { type: ['integer', 'string'], maxLength: 20 },
      quantity: { type: ['integer', 'null'] },
      paymentConfig: { type: 'object', properties: { id: { type: ['integer', 'string'], maxLength: 20 } } },
    },
  },
  rewardRevoke: {
    type: 'object',
    properties: { txnId: { type: ['integer', 'string'], maxLength: 20 } },
  },
} as const;
