/** `POST /me/activities`, `GET /me/activities`, `DELETE /me/activities/:id`. */
import type { FastifyInstance } from 'fastify';
import type { LogActivityRequest } from '../../../contract/widget-api.js';
import * as C from '../../../contract/widget-api.js';
import * as S from '../schemas.js';
import { listActivities, undo, type HistoryQuery } from '../services/activities.js';
import { parseIdempotencyKey } from '../services/idempotency.js';
import { logOnce } from '../services/log-answers.js';
import { language, security, sendJson, tags } from './http.js';

export async function activityRoutes(app: FastifyInstance) {
  app.post<{ Body: LogActivityRequest }>(
    '/me/activities',
    {
      schema: {
        tags,
        security,
        summary: 'Log an activity; answers with every challenge it touched and any reward it triggered',
        headers: S.idempotencyHeaders(true),
        body: C.LogActivityRequest,
        response: S.responses(201, C.LogActivityResponse),
      },
    },
    async (req, reply) => {
      const key = parseIdempotencyKey(req.headers['idempotency-key'], true)!;
      const sent = await logOnce(app.ctx, app.logAnswers, {
        org: req.principal.org,
        customerId: req.principal.customerId,
        body: req.body,
        key,
        lang: language(req, reply),
        // A rebuilt replay is serialised at the reply's status as it stands, as it always was.
        serialize: (answer, replay) => String((replay ? reply : reply.status(201)).serialize(answer)),
      });
      return sendJson(reply, sent.status, sent.body);
    },
  );

  app.get<{ Querystring: HistoryQuery }>(
    '/me/activities',
    {
      schema: {
        tags,
        security,
        summary: 'Activity history, newest first (for a calendar)',
        querystring: S.activitiesQuery,
        response: S.responses(200, C.ActivitiesResponse),
      },
    },
    (req) => listActivities(app.ctx, req.principal, req.query),
  );

  app.delete<{ Params: { id: string } }>(
    '/me/activities/:id',
    {
      schema: {
        tags,
        security,
        summary: 'Undo a log while its period is open; a reward it caused is reversed in the ledger',
        headers: S.languageHeaders,
        params: S.idParams,
        response: S.responses(200, C.UndoActivityResponse),
      },
    },
    (req, reply) => undo(app.ctx, req.principal, req.params.id, language(req, reply)),
  );
}
