/**
 * The widget API, `/ucc/v1`: what a customer's browser may do, for one customer, one round trip
 * per action. Identity comes from a brand-signed token (auth.ts, plugins/access.ts); every write runs
 * in one store transaction; every refusal leaves as `{"error": {"code", "message", "details?"}}`.
 *
 * This file only assembles: routes/ holds one file per resource (schema, one service call, the
 * reply), services/ the work behind them without HTTP, plugins/ the state the app owns.
 */
import fp from 'fastify-plugin';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { renderError, renderNotFound } from './errors.js';
import { accessPlugin } from './plugins/access.js';
import { logAnswersPlugin } from './plugins/log-answers.js';
import { widgetAuthPlugin } from './plugins/widget-auth.js';
import { activityRoutes } from './routes/activities.js';
import { challengeRoutes } from './routes/challenges.js';
import { meRoutes } from './routes/me.js';
import { pointsRoutes } from './routes/points.js';
import { rewardRoutes } from './routes/rewards.js';
import { templateRoutes } from './routes/templates.js';

async function routes(app: FastifyInstance) {
  app.setErrorHandler(renderError);
  app.setNotFoundHandler(renderNotFound);
  // JSON only: without the text/plain parser, any other body is refused with 415.
  app.removeContentTypeParser('text/plain');
  await app.register(accessPlugin);
  await app.register(templateRoutes);
  await app.register(meRoutes);
  await app.register(challengeRoutes);
  await app.register(activityRoutes);
  await app.register(pointsRoutes);
  await app.register(rewardRoutes);
}

/**
 * Registered by app.ts with `{ prefix: '/ucc/v1' }`, after plugins/read-cache.ts. Wrapped with
 * fastify-plugin so that the OpenAPI generator and /docs live on the root scope (they see the widget
 * and demo routes registered after them, not the Capillary API), as do the app-owned caches
 * (`app.widgetAuth`, `app.logAnswers`, which the demo routes clear); the routes themselves are
 * registered in their own encapsulated scope under the prefix, with their own error and not-found handlers.
 */
export const widgetRoutes = fp(
  async (root: FastifyInstance, opts: { prefix?: string }) => {
    await root.register(widgetAuthPlugin);
    await root.register(logAnswersPlugin);
    await root.register(swagger, {
      openapi: {
        info: {
          title: 'ucc-widgets widget API',
          version: '1.0.0',
          description: 'Customer-scoped API for the UCC widgets. Documented in docs/widget-api.md.',
        },
        components: { securitySchemes: { customerToken: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
        tags: [
          { name: 'widget', description: 'Customer-scoped: Authorization: Bearer <brand-signed token>' },
          { name: 'demo', description: 'Demo mode only' },
        ],
      },
      hideUntagged: true,
    });
    await root.register(swaggerUi, { routePrefix: '/docs' });
    await root.register(routes, { prefix: opts.prefix ?? '/ucc/v1' });
  },
  { name: 'ucc-widget-api', fastify: '5.x', dependencies: ['ucc-read-cache'] },
);
