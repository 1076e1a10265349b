/**
 * The recent log answers (LogAnswerCache, activities.ts) that a replayed `POST /me/activities` is
 * answered from, owned by the app: `app.logAnswers`, with `clear()`.
 */
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { LogAnswerCache } from '../activities.js';

declare module 'fastify' {
  interface FastifyInstance {
    logAnswers: LogAnswerCache;
  }
}

export const logAnswersPlugin = fp(
  async (app: FastifyInstance) => {
    // Several processes on one database (PostgreSQL): a replay is rebuilt from the rows on every instance, so that
    // the same key gets the same answer whichever instance it reaches (one that kept the original bytes would differ).
    app.decorate('logAnswers', new LogAnswerCache(app.ctx.store.shared ? 0 : undefined));
  },
  { name: 'ucc-log-answers', fastify: '5.x' },
);
