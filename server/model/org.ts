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
}
