/** One page of an organisation's target groups, for the v3 lists (`GET /v3/targetGroups`, `GET /v3/milestones`). */
import type { OrgDoc } from '../engine/org.js';
import type { Store, TargetGroupQuery } from '../store/types.js';
import type { TargetGroupDoc } from '../model/documents.js';
import { page } from './query.js';
import { fitting } from './render.js';

/** One page of the organisation's groups matching `query`, as many as fit in one answer. */
export async function groupPage(
  store: Store,
  org: OrgDoc,
  query: TargetGroupQuery,
  render: (g: TargetGroupDoc) => unknown,
  weight: (g: TargetGroupDoc) => number,
  warnIfMore = true,
) {
  const { total, ids, groups } = await store.read(async (tx) => {
    const { total, ids } = await tx.pageTargetGroups(org.id, query);
    return { total, ids, groups: await fitting(ids, async (id) => (await tx.getTargetGroup(org.id, id))!, weight) };
  });
  const p = page(groups.length, ids.length, { offset: query.offset, limit: query.limit, total }, warnIfMore);
  return { pagination: p.pagination, data: groups.map(render), errors: null, warnings: p.warnings };
}
