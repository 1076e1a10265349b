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
    app.decorate('logAnswers', new LogAnswerCache());
  },
  { name: 'ucc-log-answers', fastify: '5.x' },
);
