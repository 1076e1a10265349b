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
        headers: S.languageHeaders,
        params: S.idParams,
        response: S.responses(200, C.ChallengeResponse),
      },
    },
    (req, reply) => leave(app.ctx, { ...req.principal, id: req.params.id, lang: language(req, reply) }),
  );
}
