/** `GET /me`, `PATCH /me`. */
import type { FastifyInstance } from 'fastify';
import * as C from '../../../contract/widget-api.js';
import * as S from '../schemas.js';
import { getMe, setTimeZone } from '../services/me.js';
import { security, tags } from './http.js';

export async function meRoutes(app: FastifyInstance) {
  app.get(
    '/me',
    {
      schema: {
        tags,
        security,
        summary: 'The customer: id, time zone, points balance',
        description: "The organisation's time zone applies until the customer sets one.",
        response: S.responses(200, C.Me),
      },
    },
    (req) => getMe(app.ctx, req.principal),
  );

  app.patch<{ Body: { timeZone: string } }>(
    '/me',
    {
      schema: {
        tags,
        security,
        summary: "Set the customer's time zone (IANA name); new challenges use it",
        description:
          "IANA names only (422 `INVALID_TIME_ZONE`). New challenges use the customer's zone; existing ones keep theirs.",
        body: C.PatchMeRequest,
        response: S.responses(200, C.Me),
      },
    },
    (req) => setTimeZone(app.ctx, req.principal, req.body.timeZone),
  );
}
