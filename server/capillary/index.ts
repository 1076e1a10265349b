import type { FastifyInstance } from 'fastify';
export async function capillaryRoutes(_app: FastifyInstance) {}
