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
        headers: S.languageHeaders,
        response: S.responses(200, C.TemplatesResponse),
      },
    },
    (req, reply) => templatesFor(app.ctx, req.principal, language(req, reply)),
  );
}
