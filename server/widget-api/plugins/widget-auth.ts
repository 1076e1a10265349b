/** The widget API's token and customer caches (state.ts), owned by the app: `app.widgetAuth`, with `clear()`. */
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { WidgetAuthState } from '../state.js';

declare module 'fastify' {
  interface FastifyInstance {
    widgetAuth: WidgetAuthState;
  }
}

export const widgetAuthPlugin = fp(
  async (app: FastifyInstance) => {
    app.decorate('widgetAuth', new WidgetAuthState());
  },
  { name: 'ucc-widget-auth', fastify: '5.x' },
);
