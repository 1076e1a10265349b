/** `POST /me/challenges`, `GET /me/challenges`, `GET /me/challenges/:id`, `DELETE /me/challenges/:id`. */
import type { FastifyInstance } from 'fastify';
import type { CreateChallengeRequest } from '../../../contract/widget-api.js';
import * as C from '../../../contract/widget-api.js';
import * as S from '../schemas.js';
import { parseIdempotencyKey } from '../services/idempotency.js';
import { challengesRead, createChallengeOnce, getChallenge, leave } from '../services/challenges.js';
import { language, security, sendJson, tags, vary } from './http.js';

export async function challengeRoutes(app: FastifyInstance) {
  app.post<{ Body: CreateChallengeRequest }>(
    '/me/challenges',
    {
      schema: {
        tags,
        security,
        summary: 'Create a challenge from a template (group, rule, promotion and enrolment in one transaction)',
        description:
          "Periods start today (midnight in the customer's time zone): days for `DAILY`, 7-day periods for `WEEKLY`. `name` (default: the template's label) is trimmed, 1–80 characters, stored and returned as given, never interpreted as HTML. In one transaction the server creates a user-created STREAKS target group with one IMPORT target rule, the UCC promotion (TARGETCOMPLETED → `AWARD_TARGET_POINTS_ACTION` with the template's award strategy, open until `backfillHours` after the last period) and the enrolment, through the same engine as the Capillary-compatible API. A failure leaves nothing. An optional `Idempotency-Key` makes a retry answer the first answer.",
        headers: S.idempotencyHeaders(false),
        body: C.CreateChallengeRequest,
        response: S.responses(201, C.ChallengeResponse),
      },
    },
    async (req, reply) => {
      const sent = await createChallengeOnce(app.ctx, {
        org: req.principal.org,
        customerId: req.principal.customerId,
        body: req.body,
        lang: language(req, reply),
        key: parseIdempotencyKey(req.headers['idempotency-key'], false),
        serialize: (answer) => String(reply.status(201).serialize(answer)),
      });
      return sendJson(reply, sent.status, sent.body);
    },
  );

  app.get<{ Querystring: { status: 'active' | 'completed' | 'all' } }>(
    '/me/challenges',
    {
      schema: {
        tags,
        security,
        summary: 'My challenges with progress, newest first',
        description:
          'Newest first (default `all`): the running ones, then the newest others up to 50 challenges and 1,500 periods (`completed`: the completed ones among these). `status`: `active` (running), `completed` (every period met in a row: the reward is earned), `ended` (over, not completed), `left`. `periods[].state`: `met`, `missed`, `current`, `ahead`. `currentPeriod` is null before the start and after the end. `reward.earned` is net of reversals. Served from a per-process cache of its serialised form with an `ETag` (304 to `If-None-Match`) and gzip when accepted; an entry is dropped by any write of that customer (or any Capillary-API, webhook or demo write) and at the next instant its content could change with time.',
        headers: S.languageHeaders,
        querystring: S.challengesQuery,
        response: S.responses(200, C.ChallengesResponse),
      },
    },
    async (req, reply) => {
      // Served from the read cache when nothing of this customer's changed (ETag, gzip when accepted).
      const entry = await challengesRead(app.ctx, app.readCache, {
        ...req.principal,
        status: req.query.status,
        lang: language(req, reply),
        serialize: (answer) => String(reply.serialize(answer)),
      });
      reply.header('etag', entry.etag).header('cache-control', 'private, no-cache');
      vary(reply, 'Accept-Encoding, Authorization');
      if (req.headers['if-none-match'] === entry.etag) return reply.status(304).send();
      reply.type('application/json; charset=utf-8');
      if (entry.raw.length > 1024 && /\bgzip\b/.test(req.headers['accept-encoding'] ?? '')) {
        return reply.header('content-encoding', 'gzip').send(app.readCache.gzip(entry));
      }
      return reply.send(entry.raw);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/me/challenges/:id',
    {
      schema: {
        tags,
        security,
        summary: 'One challenge with its progress',
        description:
          "The same challenge document as in the list (periods, streak, reward); 404 `CHALLENGE_NOT_FOUND` for an id that is not this customer's.",
        headers: S.languageHeaders,
        params: S.idParams,
        response: S.responses(200, C.ChallengeResponse),
      },
    },
    (req, reply) => getChallenge(app.ctx, { ...req.principal, id: req.params.id, lang: language(req, reply) }),
  );

  app.delete<{ Params: { id: string } }>(
    '/me/challenges/:id',
    {
      schema: {
        tags,
        security,
        summary: 'Leave a challenge (unenrol); rewards already given stay',
        description:
          'Unenrols; rewards already given stay. Answers the challenge with `status: "left"`; leaving twice answers the same.',
        headers: S.languageHeaders,
        params: S.idParams,
        response: S.responses(200, C.ChallengeResponse),
      },
    },
    (req, reply) => leave(app.ctx, { ...req.principal, id: req.params.id, lang: language(req, reply) }),
  );
}
