/** What the widget API's routes share of HTTP: OpenAPI tags, the answer's language, Vary, raw JSON bytes. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { contentLanguage, languageOf, type Lang } from '../i18n.js';

export const tags = ['widget'];
export const security = [{ customerToken: [] }];

/** Adds a field to the answer's Vary header, keeping what is there (e.g. CORS's Origin). */
export function vary(reply: FastifyReply, field: string) {
  const v = reply.getHeader('vary');
  reply.header('vary', v ? `${String(v)}, ${field}` : field);
}

/**
 * The language of an answer that carries template texts: the best match for the request's
 * Accept-Language among the brand's translations (i18n.ts), announced with Content-Language; the
 * answer varies by Accept-Language.
 */
export function language(req: FastifyRequest, reply: FastifyReply): Lang {
  const { org } = req.principal;
  const lang = languageOf(org, req.headers['accept-language']);
  reply.header('content-language', contentLanguage(org, lang));
  vary(reply, 'Accept-Language');
  return lang;
}

/** Sends bytes already serialised (a stored or cached answer) as JSON with their status. */
export const sendJson = (reply: FastifyReply, status: number, body: string | Buffer) =>
  reply.status(status).type('application/json; charset=utf-8').send(body);
