import type { FastifyInstance } from 'fastify';
export async function widgetRoutes(_app: FastifyInstance) {}
