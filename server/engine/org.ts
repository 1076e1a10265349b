/** The engine's rules about an organisation's configuration (its documents: ../model/org.ts). */
import type { AwardStrategy, TemplateConfig } from '../model/org.js';

export type { AwardStrategy, ExpiryStrategy, OrgDoc, TemplateConfig, TemplateTexts } from '../model/org.js';

export function strategyPoints(s: AwardStrategy, totalPeriods: number): number {
  return s.kind === 'FIXED' ? s.points : Math.min(s.pointsPerPeriod * totalPeriods, s.maxPoints);
}

/**
 * The smallest quantity one log of a template may carry: its `minQuantity`, else 1 for COUNT and
 * DISTINCT_DAYS templates (which take whole numbers only: a log is one workout, one day) and 0.000001
 * for SUM templates (the engine keeps progress to 6 decimals; less would count as nothing).
 */
export const minQuantity = (t: Pick<TemplateConfig, 'aggregation' | 'minQuantity'>): number =>
  t.minQuantity ?? (t.aggregation === 'SUM' ? 0.000001 : 1);
