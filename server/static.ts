import type { FastifyInstance } from 'fastify';
export async function staticRoutes(_app: FastifyInstance) {}
