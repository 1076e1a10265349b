/**
 * The organisation documents (a leaf of the model: the store, the engine and both HTTP surfaces use
 * them; they import nothing but the contract's types).
 */
import type { Template, Policy, Unit } from '../../contract/widget-api.js';

/**
 * An award strategy turns a TARGETCOMPLETED into points. `FIXED` awards `points` each time;
 * `PER_PERIOD` awards `pointsPerPeriod` × the target group's number of periods, at most
 * `maxPoints` (the widget templates' reward rule). An expiry strategy gives the points'
 * lifetime in days (-1 = never expire).
 */
export type AwardStrategy =
  | { id: number; kind: 'FIXED'; points: number; name: string }
  | { id: number; kind: 'PER_PERIOD'; pointsPerPeriod: number; maxPoints: number; name: string };

export interface ExpiryStrategy {
  id: number;
  days: number;
  name: string;
}

/**
 * A template's customer-visible texts in one language. `unit.other` is required; `one` (and the other
 * CLDR plural categories) when the language has them — a missing `one` is answered as `other`.
 */
export interface TemplateTexts {
  label: string;
  description?: string;
  unit: Partial<Unit> & { other: string };
}

/**
 * A template as a brand configures it: the wire template, in the organisation's `defaultLanguage`,
 * plus translations of its texts keyed by BCP 47 language tag ("es", "pt-BR"). The widget API
 * answers in the language the request asks for (Accept-Language; see widget-api/i18n.ts).
 */
export interface TemplateConfig extends Omit<Template, 'minQuantity'> {
  i18n?: Record<string, TemplateTexts>;
  /** The smallest quantity one log may carry; see minQuantity(). The wire template always has it. */
  minQuantity?: number;
}

/** An organisation: credentials, settings, and the brand's challenge templates and policy. */
export interface OrgDoc {
  id: string;
  name: string;
  programId: number;
  uccEnabled: boolean;
  timeZone: string;
  /** Basic auth: till code and the md5 hex of its password. */
  till: { username: string; passwordMd5: string } | null;
  oauthClients: { key: string; secret: string }[];
  webhookIds: string[];
  /** HS256 secret that the brand's server signs customer tokens with. */
  widgetSecret: string;
  allowedOrigins: string[];
  awardStrategies: AwardStrategy[];
  expiryStrategies: ExpiryStrategy[];
  /** The language of its templates' own texts (BCP 47); "en" when absent. */
  defaultLanguage?: string;
  templates: TemplateConfig[];
  policy: Policy;
  /** The brand's reward catalogue: what points buy (docs/rewards.md); absent or empty: nothing to spend on. */
  rewards?: RewardConfig[];
  /** Upstream mode: the widget API drives this brand's own Capillary organisation (docs/upstream.md); absent: the embedded engine. */
  upstream?: UpstreamOrgConfig;
}

/**
 * How the widget server reaches a brand's Capillary organisation (docs/upstream.md, "Connecting an
 * organisation"). Server-side only: never sent to a browser, never logged.
 */
export interface UpstreamOrgConfig {
  /** e.g. `https://eu.api.capillarytech.com/` (`v3/…`, `v2/…`, `api_gateway/…` are appended). */
  baseUrl: string;
  /** The organisation's webhook URL for behavioural events. */
  webhookUrl: string;
  oauth?: { key: string; secret: string };
  /** Basic till auth (the password in clear; sent as its md5). */
  till?: { user: string; password: string };
  programId: number;
  /** The award strategy of every challenge's promotion, unless `awardStrategyByTemplate` names another. */
  awardStrategyId: number;
  awardStrategyByTemplate?: Record<string, number>;
  expiryStrategyId: number;
  /** What the webhook's customer_id carries: only `externalId` (the widget token's subject) is supported. */
  customerIdentifier: 'externalId';
  /** The organisation's numeric Capillary id (the promotion body's ruleset carries it as orgID). */
  capillaryOrgId: number;
  /** The event field declared isUniqueKeyField (and isRequired) in each template's event: carries the log's id (default uccLogId). */
  uniqueKeyField?: string;
  /** How long a log is held before it is posted: undo inside it is a true undo (default 60 000). */
  undoGraceMs?: number;
  /** Templates whose event takes negative quantities: an undo after the post sends a compensating one instead of 409. */
  compensatingTemplates?: string[];
  /** The key's request budget per minute (default 100, the demo clusters' documented limit). */
  requestsPerMinute?: number;
  /** How long a customer's upstream reads are reused (default 10 000 ms; the customer's own writes drop them). */
  readCacheMs?: number;
}

/** One reward of a brand's catalogue: its cost in points and the coupon it gives. */
export interface RewardConfig {
  /** Stable id (letters, digits, - and _), unique in the organisation. */
  id: string;
  /** What the customer reads, in the organisation's defaultLanguage, e.g. "10% off your next order". */
  label: string;
  description?: string;
  /** Its cost in points (a whole number ≥ 1). */
  points: number;
  /** PERCENT_OFF (value: the percentage), AMOUNT_OFF (value in `currency`), FREE_ITEM (value 1). */
  kind: 'PERCENT_OFF' | 'AMOUNT_OFF' | 'FREE_ITEM';
  value: number;
  currency?: string;
  /** How many days a coupon from it stays valid. */
  validityDays: number;
  /** How many times one customer may redeem it; null: no limit. */
  perCustomerLimit: number | null;
  /** Upstream mode: the platform's catalogue reward (`api_gateway/rewards/core/v1/…/reward/{id}/issue`) it is. */
  upstreamRewardId?: number;
  /** Per language (BCP 47): the label and description customers read. */
  i18n?: Record<string, { label?: string; description?: string }>;
}
