/** `POST /v3/oauth/token/generate`: a bearer token for an OAuth client's key and secret (not authenticated). */
import type { FastifyInstance } from 'fastify';
import { issueOAuthToken, OAUTH_TTL_SECONDS } from '../auth.js';
import { schemas } from '../schemas.js';

export async function oauthRoutes(app: FastifyInstance) {
  app.post('/oauth/token/generate', { schema: { body: schemas.oauth } }, async (req) => {
    const b = req.body as { key?: unknown; secret?: unknown };
    return {
      data: { accessToken: await issueOAuthToken(req, b.key, b.secret), ttlSeconds: OAUTH_TTL_SECONDS },
      errors: null,
    };
  });
}
