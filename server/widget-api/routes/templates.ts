/** `GET /templates`. */
import type { FastifyInstance } from 'fastify';
import * as C from '../../../contract/widget-api.js';
import * as S from '../schemas.js';
import { templatesFor } from '../services/me.js';
import { language, security, tags } from './http.js';

export async function templateRoutes(app: FastifyInstance) {
  app.get(
    '/templates',
    {
      schema: {
        tags,
        security,
        summary:
          'The activities this brand lets customers build challenges on, and its policy (texts in the Accept-Language asked for)',
        description:
          "The activities this brand lets customers build challenges on, its policy and the customer's time zone. Texts (`label`, `description`, `unit`) are in the `Accept-Language` asked for. `aggregation`: `SUM` (of `field`), `COUNT` (one per log), `DISTINCT_DAYS` (days with a log). The reward for completing every period is `min(pointsPerPeriod × periods, maxPoints)`.",
        headers: S.languageHeaders,
        response: S.responses(200, C.TemplatesResponse),
      },
    },
    (req, reply) => templatesFor(app.ctx, req.principal, language(req, reply)),
  );
}
