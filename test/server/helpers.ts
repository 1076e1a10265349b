/** Request bodies shared by the server tests, in Capillary's shapes. */
export function streakGroupBody(name: string, fromDate: string, days: number, perDay: number, level: number, extra: Record<string, unknown> = {}) {
  return {
    name, trackingType: 'STREAKS', targetEvaluationType: 'FIXED_CALENDAR_WINDOW', totalPeriods: days, frequencyType: 'DAILY',
    frequency: 1, recurringCycles: 0, userCreated: true, active: true, timeZoneName: 'UTC',
    periods: Array.from({ length: days }, (_, i) => {
      const d = new Date(Date.parse(fromDate + 'T00:00:00Z') + i * 86_400_000).toISOString().slice(0, 10);
      return { refCode: `Day_${i + 1}`, startDate: `${d}T00:00:00.000`, endDate: `${d}T23:59:59.999`, periodStatus: 'RUNNING', active: true };
    }),
    targets: [{
      name: `${name}_rule`, targetEntity: 'EVENT', eventName: 'waterLogged', targetType: 'EVENT_ATTRIBUTE',
      extendedFieldInfo: { name: 'glasses', aggregateFunction: 'SUM' }, enrolmentMethod: 'IMPORT', expression: 'true',
      filters: [], defaultValues: Array.from({ length: days }, () => ({ defaultValue: perDay })),
    }],
    streaks: [{ name: `${level}-day`, targetCountOfSequence: level }],
    ...extra,
  };
}

export function uccPromotionBody(name: string, tgId: number, ruleId: number, ruleName: string, awardStrategy: number, limits: Record<string, number> = {}) {
  return {
    promotion: {
      id: -1, name: `${name}_promo`, identifier: `${name}_promo_id`, programId: 1,
      startDate: '2020-01-01T00:00:00+00:00', endDate: '2099-12-31T23:59:59+00:00',
      allocatePointsOn: 'CUSTOMER', promotionType: 'CUSTOMER', eventName: 'TARGETCOMPLETED', pointsOfferType: 'LOYALTY',
      promotionSourceType: 'USER_CREATED',
      limits: { pointsPerCustomer: -1, numberOfTimesPerCustomer: -1, totalPointsInPromotion: -1, ...limits },
      promotionRestrictions: { loyaltyEarningType: 'DIRECT_EARN', isStackable: true, isExclusive: false, isConsideredForRanking: false, targetGroupIds: [tgId], targetRuleIds: [ruleId] },
      rulesetInfos: [{
        id: -1, contextID: 1, orgID: 0, contextType: 'program', endpointName: 'POINTSENGINE_ENDPOINT', name: `${name}_rs`, type: 'USER_CREATED',
        startDate: Date.parse('2020-01-01'), endDate: Date.parse('2099-12-31'), active: true,
        rules: [{
          id: -1, exp: 'true', expJSON: '{"arity":"literal","value":"true","type":"boolean:primitive"}', isActive: true, ruleSetId: -1, updatedViaNewUI: false,
          caseToActions: { true: [{ id: -1, actionName: 'AWARD_TARGET_POINTS_ACTION', mandatoryPropertiesValues: {
            ProRateOnSourceValue: 'EVENT_DEFAULT_VALUE', DelayStrategy: 'AS_DEFINED_IN_ALLOCATION_STRATEGY', SourceValueRoundingStrategy: 'ACTUAL',
            ExpiryStrategy: '1', AwardStrategy: String(awardStrategy), PointsRoundingStrategy: 'ACTUAL', TargetGroupId: String(tgId), TargetRuleName: ruleName,
          } }] },
        }],
        filterInfo: [{ id: -1, contextType: 'RULESET', name: 'LoyaltyType', description: '', isInclude: true, propertyToValues: { loyaltyType: ['loyalty'] } }],
      }],
    },
  };
}
