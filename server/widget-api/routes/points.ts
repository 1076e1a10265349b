/** `GET /me/points`. */
import type { FastifyInstance } from 'fastify';
import * as C from '../../../contract/widget-api.js';
import * as S from '../schemas.js';
import { pointsPage } from '../services/points.js';
import { security, tags } from './http.js';

export async function pointsRoutes(app: FastifyInstance) {
  app.get<{ Querystring: { limit: number; before?: string } }>(
    '/me/points',
    {
      schema: {
        tags,
        security,
        summary: 'Points balance and ledger, newest first, paginated',
        description: 'Newest first; `limit` 1–100 (default 20); pass `nextCursor` as `before` for the next page.',
        querystring: S.pointsQuery,
        response: S.responses(200, C.PointsResponse),
      },
    },
    (req) => pointsPage(app.ctx, req.principal, req.query),
  );
}
