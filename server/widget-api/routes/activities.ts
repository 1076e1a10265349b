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
        description:
          "Give `challengeId` or `templateId` (`templateId` logs without naming a challenge). A log is one behavioural event of the template's activity: it counts for **every** active challenge of the customer on that activity, and `challenges` lists each one it touched with its new progress. `rewards` lists the points the log triggered (a challenge completed). `occurredAt` defaults to now; it may lie in the past within the backfill window and counts in the period it falls in. `Idempotency-Key` is required: a retry with the same key answers the first answer; the same key with another body is 422 `IDEMPOTENCY_KEY_REUSED`. Upstream mode (a brand's own Capillary organisation): the log is kept here and sent shortly (`pending: true`; undo works until it is sent), and while the programme cannot be reached the answer is 202 with `pending: true`.",
        headers: S.idempotencyHeaders(true),
        body: C.LogActivityRequest,
        response: { ...S.responses(201, C.LogActivityResponse), 202: C.LogActivityResponse },
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
        serialize: (answer, replay, status = 201) => String((replay ? reply : reply.status(status)).serialize(answer)),
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
        description:
          "Newest first (default limit 200, at most 500). `from`/`to`: ISO instants (`from` inclusive, `to` exclusive), or `YYYY-MM-DD` dates in the customer's time zone (both days included). With `challengeId`: every log of that challenge's activity while it runs, however the log named it.",
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
        description:
          'Allowed while every period the log counted in is still open (else 409 `PERIOD_CLOSED`): progress is recomputed and a reward it caused is reversed by a `REVERSAL` ledger entry (history is never deleted). Undoing an undone log answers the same without changing anything.',
        headers: S.languageHeaders,
        params: S.idParams,
        response: S.responses(200, C.UndoActivityResponse),
      },
    },
    (req, reply) => undo(app.ctx, req.principal, req.params.id, language(req, reply)),
  );
}
