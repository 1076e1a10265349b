import { createHash } from 'node:crypto';
import type { Store } from './store/types.js';
import type { OrgDoc, TemplateConfig } from './engine/org.js';
import type { RewardConfig, UpstreamOrgConfig } from './model/org.js';

export const DEMO_WIDGET_SECRET = 'demo-widget-secret-not-for-production';
export const DEMO_TOKEN_SECRET = 'demo-server-token-secret-not-for-production';
export const md5 = (s: string) => createHash('md5').update(s).digest('hex');

const template = (t: Omit<TemplateConfig, 'description'> & { description?: string }): TemplateConfig => ({
  description: '',
  ...t,
});

/**
 * The demo brand's templates, in English with Spanish, German, French and Arabic texts. Arabic units
 * carry every CLDR plural category it uses (zero, one, two, few, many, other), each the form that
 * follows a numeral ("3 أكواب", "11 كوبًا").
 */
export const demoTemplates: TemplateConfig[] = [
  template({
    id: 'water',
    label: 'Drink water',
    description: 'Glasses of water a day',
    eventName: 'waterLogged',
    field: 'glasses',
    aggregation: 'SUM',
    unit: { one: 'glass', other: 'glasses' },
    periods: ['DAILY'],
    target: { min: 1, max: 20, default: 8, step: 1 },
    length: { min: 3, max: 30, default: 7 },
    maxQuantityPerLog: 10,
    maxQuantityPerPeriod: 40,
    reward: { pointsPerPeriod: 10, maxPoints: 200 },
    i18n: {
      es: { label: 'Beber agua', description: 'Vasos de agua al día', unit: { one: 'vaso', other: 'vasos' } },
      de: { label: 'Wasser trinken', description: 'Gläser Wasser pro Tag', unit: { one: 'Glas', other: 'Gläser' } },
      fr: { label: 'Boire de l’eau', description: 'Verres d’eau par jour', unit: { one: 'verre', other: 'verres' } },
      ar: {
        label: 'اشرب الماء',
        description: 'أكواب الماء في اليوم',
        unit: { zero: 'كوب', one: 'كوب', two: 'كوبان', few: 'أكواب', many: 'كوبًا', other: 'كوب' },
      },
    },
  }),
  template({
    id: 'steps',
    label: 'Walk',
    description: 'Steps a day',
    eventName: 'stepsLogged',
    field: 'steps',
    aggregation: 'SUM',
    unit: { one: 'step', other: 'steps' },
    periods: ['DAILY'],
    target: { min: 1000, max: 50000, default: 8000, step: 500 },
    length: { min: 3, max: 30, default: 7 },
    maxQuantityPerLog: 50000,
    maxQuantityPerPeriod: 100000,
    reward: { pointsPerPeriod: 10, maxPoints: 200 },
    i18n: {
      es: { label: 'Caminar', description: 'Pasos al día', unit: { one: 'paso', other: 'pasos' } },
      de: { label: 'Gehen', description: 'Schritte pro Tag', unit: { one: 'Schritt', other: 'Schritte' } },
      fr: { label: 'Marcher', description: 'Pas par jour', unit: { one: 'pas', other: 'pas' } },
      ar: {
        label: 'امشِ',
        description: 'خطوات في اليوم',
        unit: { zero: 'خطوة', one: 'خطوة', two: 'خطوتان', few: 'خطوات', many: 'خطوة', other: 'خطوة' },
      },
    },
  }),
  template({
    id: 'workouts',
    label: 'Work out',
    description: 'Workouts a week',
    eventName: 'workoutLogged',
    field: null,
    aggregation: 'COUNT',
    unit: { one: 'workout', other: 'workouts' },
    periods: ['WEEKLY'],
    target: { min: 1, max: 7, default: 3, step: 1 },
    length: { min: 2, max: 12, default: 4 },
    maxQuantityPerLog: 1,
    maxQuantityPerPeriod: 14,
    reward: { pointsPerPeriod: 40, maxPoints: 400 },
    i18n: {
      es: {
        label: 'Hacer ejercicio',
        description: 'Entrenamientos a la semana',
        unit: { one: 'entrenamiento', other: 'entrenamientos' },
      },
      de: {
        label: 'Trainieren',
        description: 'Trainingseinheiten pro Woche',
        unit: { one: 'Trainingseinheit', other: 'Trainingseinheiten' },
      },
      fr: {
        label: 'S’entraîner',
        description: 'Séances d’entraînement par semaine',
        unit: { one: 'séance', other: 'séances' },
      },
      ar: {
        label: 'تمرّن',
        description: 'تمارين في الأسبوع',
        unit: { zero: 'تمرين', one: 'تمرين', two: 'تمرينان', few: 'تمارين', many: 'تمرينًا', other: 'تمرين' },
      },
    },
  }),
  template({
    id: 'meditation',
    label: 'Meditate',
    description: 'Minutes of meditation a day',
    eventName: 'meditationLogged',
    field: 'minutes',
    aggregation: 'SUM',
    unit: { one: 'minute', other: 'minutes' },
    periods: ['DAILY'],
    target: { min: 5, max: 120, default: 10, step: 5 },
    length: { min: 3, max: 30, default: 7 },
    maxQuantityPerLog: 180,
    maxQuantityPerPeriod: 600,
    reward: { pointsPerPeriod: 10, maxPoints: 200 },
    i18n: {
      es: { label: 'Meditar', description: 'Minutos de meditación al día', unit: { one: 'minuto', other: 'minutos' } },
      de: { label: 'Meditieren', description: 'Minuten Meditation pro Tag', unit: { one: 'Minute', other: 'Minuten' } },
      fr: {
        label: 'Méditer',
        description: 'Minutes de méditation par jour',
        unit: { one: 'minute', other: 'minutes' },
      },
      ar: {
        label: 'تأمّل',
        description: 'دقائق من التأمل في اليوم',
        unit: { zero: 'دقيقة', one: 'دقيقة', two: 'دقيقتان', few: 'دقائق', many: 'دقيقة', other: 'دقيقة' },
      },
    },
  }),
];

const required = { isRequired: { valueType: 'Boolean', value: 'true' } };
const customerField = {
  name: 'customer',
  type: 'customer',
  attributes: { addCustomerIfNotExists: { valueType: 'Boolean', value: 'false' } },
};

const uniqueKey = { isUniqueKeyField: { valueType: 'Boolean', value: 'true' } };

/**
 * The demo organisation's reward catalogue (HydraPoints you can spend in the shop): the numbers meet the
 * demo's story — a 3-day water challenge pays 30 points, exactly the smallest reward.
 */
export const demoRewards: RewardConfig[] = [
  {
    id: 'five-off',
    label: '5% off your next order',
    points: 30,
    kind: 'PERCENT_OFF',
    value: 5,
    validityDays: 30,
    perCustomerLimit: 3,
    upstreamRewardId: 1,
    i18n: {
      es: { label: '5 % de descuento en tu próximo pedido' },
      de: { label: '5 % Rabatt auf deine nächste Bestellung' },
      fr: { label: '5 % de remise sur votre prochaine commande' },
      ar: { label: 'خصم 5٪ على طلبك القادم' },
    },
  },
  {
    id: 'ten-off',
    label: '10% off your next order',
    points: 100,
    kind: 'PERCENT_OFF',
    value: 10,
    validityDays: 30,
    perCustomerLimit: 1,
    upstreamRewardId: 2,
    i18n: {
      es: { label: '10 % de descuento en tu próximo pedido' },
      de: { label: '10 % Rabatt auf deine nächste Bestellung' },
      fr: { label: '10 % de remise sur votre prochaine commande' },
      ar: { label: 'خصم 10٪ على طلبك القادم' },
    },
  },
  {
    id: 'shaker',
    label: 'Free shaker bottle',
    description: 'Our 700 ml HydraFit shaker, added to your next order.',
    points: 300,
    kind: 'FREE_ITEM',
    value: 1,
    validityDays: 60,
    perCustomerLimit: 1,
    upstreamRewardId: 3,
    i18n: {
      es: {
        label: 'Botella mezcladora gratis',
        description: 'Nuestra mezcladora HydraFit de 700 ml, en tu próximo pedido.',
      },
      de: { label: 'Gratis Shaker', description: 'Unser 700-ml-HydraFit-Shaker zu deiner nächsten Bestellung.' },
      fr: {
        label: 'Shaker offert',
        description: 'Notre shaker HydraFit de 700 ml, ajouté à votre prochaine commande.',
      },
      ar: { label: 'زجاجة خلاط مجانية', description: 'خلاط HydraFit سعة 700 مل مع طلبك القادم.' },
    },
  },
];

/** Page origins the demo organisation always allows (besides http://localhost:* and http://127.0.0.1:* in demo mode). */
export const DEMO_ALLOWED_ORIGINS = ['http://localhost:8787', 'http://127.0.0.1:8787'];

/** The demo organisations; `extraOrigins` (UCC_ALLOWED_ORIGINS) are added to the demo organisation's allowedOrigins. */
export function demoOrgs(extraOrigins: readonly string[] = []): OrgDoc[] {
  const common = {
    programId: 1,
    timeZone: 'UTC',
    awardStrategies: [
      { id: 1, kind: 'FIXED' as const, points: 100, name: '100 points' },
      {
        id: 2,
        kind: 'PER_PERIOD' as const,
        pointsPerPeriod: 10,
        maxPoints: 200,
        name: '10 points a period, at most 200',
      },
      {
        id: 3,
        kind: 'PER_PERIOD' as const,
        pointsPerPeriod: 40,
        maxPoints: 400,
        name: '40 points a period, at most 400',
      },
    ],
    expiryStrategies: [{ id: 1, days: -1, name: 'Never expires' }],
    policy: { maxActiveChallenges: 5, backfillHours: 48, monthlyPointsCap: 1000 },
  };
  return [
    {
      ...common,
      id: 'demo',
      name: 'Hydra Fit (demo)',
      uccEnabled: true,
      till: { username: 'demo.till', passwordMd5: md5('demo.pass') },
      oauthClients: [{ key: 'demo-key', secret: 'demo-secret' }],
      webhookIds: ['demo'],
      widgetSecret: DEMO_WIDGET_SECRET,
      allowedOrigins: [...new Set([...DEMO_ALLOWED_ORIGINS, ...extraOrigins])],
      templates: demoTemplates,
      rewards: demoRewards,
    },
    {
      ...common,
      id: 'noucc',
      name: 'No-UCC Org (demo)',
      uccEnabled: false,
      till: { username: 'noucc.till', passwordMd5: md5('noucc.pass') },
      oauthClients: [],
      webhookIds: ['noucc'],
      widgetSecret: DEMO_WIDGET_SECRET + '-noucc',
      allowedOrigins: [],
      templates: [],
    },
  ];
}

/**
 * Seeds the demo organisations (idempotent: when `demo` exists, leaves its data alone).
 * `allowedOrigins` (UCC_ALLOWED_ORIGINS) are added to the demo organisation's page origins; in an
 * existing database its origins, and its templates (texts and translations), are brought in line
 * with them, so adding or removing one takes effect on the next start.
 */
export async function seedDemo(
  store: Store,
  now: number,
  opts: {
    allowedOrigins?: readonly string[];
    /**
     * UCC_DEMO_EVENT_KEY (a server acting as another's upstream): every demo event also declares this string field
     * isRequired and isUniqueKeyField, as a brand's organisation does for upstream mode (docs/upstream.md).
     */
    eventKeyField?: string;
  } = {},
) {
  const orgs = demoOrgs(opts.allowedOrigins);
  await store.tx(async (tx) => {
    const existing = await tx.getOrg('demo');
    if (existing) {
      const { allowedOrigins, templates, rewards } = orgs[0];
      if (
        existing.allowedOrigins.join('\n') !== allowedOrigins.join('\n') ||
        JSON.stringify(existing.templates) !== JSON.stringify(templates) ||
        JSON.stringify(existing.rewards) !== JSON.stringify(rewards)
      ) {
        await tx.putOrg({ ...existing, allowedOrigins, templates, rewards });
      }
      return;
    }
    for (const org of orgs) await tx.putOrg(org);
    const ext = ['alice', 'bob', 'carol'];
    for (const [i, externalId] of ext.entries())
      await tx.insertCustomer({ id: 1001 + i, orgId: 'demo', externalId, timeZone: null, createdMs: now });
    const events: [string, string | null][] = [
      ['waterLogged', 'glasses'],
      ['stepsLogged', 'steps'],
      ['workoutLogged', null],
      ['meditationLogged', 'minutes'],
    ];
    for (const [eventName, field] of events) {
      await tx.putEventDef('demo', {
        eventName,
        actions: ['EMFConsumer'],
        createdMs: now,
        fields: [
          customerField,
          ...(field ? [{ name: field, type: 'double', attributes: required }] : []),
          ...(opts.eventKeyField
            ? [{ name: opts.eventKeyField, type: 'string', attributes: { ...required, ...uniqueKey } }]
            : []),
        ],
      });
    }
  });
}

/**
 * The demo organisation's upstream config under UCC_UPSTREAM_URL: its own credentials on that
 * Capillary-compatible server (till demo.till/demo.pass, OAuth demo-key/demo-secret, webhook
 * /webhooks/demo, program 1, expiry strategy 1), each template paid by the award strategy there that
 * matches its reward (the same seed on both sides), else strategy 1.
 */
export function demoUpstream(baseUrl: string, org: OrgDoc, undoGraceMs?: number): UpstreamOrgConfig {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  const byTemplate: Record<string, number> = {};
  for (const t of org.templates) {
    const s = org.awardStrategies.find(
      (x) =>
        x.kind === 'PER_PERIOD' && x.pointsPerPeriod === t.reward.pointsPerPeriod && x.maxPoints === t.reward.maxPoints,
    );
    if (s) byTemplate[t.id] = s.id;
  }
  return {
    baseUrl: base,
    webhookUrl: new URL('webhooks/demo', base).href,
    oauth: { key: 'demo-key', secret: 'demo-secret' },
    till: { user: 'demo.till', password: 'demo.pass' },
    programId: 1,
    capillaryOrgId: 1,
    awardStrategyId: 1,
    awardStrategyByTemplate: byTemplate,
    expiryStrategyId: 1,
    customerIdentifier: 'externalId',
    ...(undoGraceMs !== undefined ? { undoGraceMs } : {}),
  };
}
