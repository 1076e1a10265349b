/** Security headers of the JSON answers and of /docs (the demo pages and widget files get theirs from @fastify/helmet in static.ts). */

/**
 * Headers on every JSON answer (both APIs, health, errors, 404s), set by one callback hook from a
 * constant object: what @fastify/helmet would set for a JSON API, without its per-request work
 * (it builds its middleware on every request: two hooks, one async). The API is called from brand
 * pages on other origins (CORS), so Cross-Origin-Resource-Policy is cross-origin. The demo pages and
 * widget files get theirs from @fastify/helmet in server/static.ts; /docs (swagger-ui) gets DOCS_HEADERS.
 */
export const API_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'cross-origin-resource-policy': 'cross-origin',
};
/** /docs: swagger-ui loads only its own scripts and styles (it sets inline style attributes) and the spec from /docs/json. */
export const DOCS_HEADERS: Readonly<Record<string, string>> = {
  ...API_HEADERS,
  'x-frame-options': 'SAMEORIGIN',
  'content-security-policy':
    "default-src 'self'; base-uri 'self'; font-src 'self' data:; form-action 'self'; frame-ancestors 'self'; " +
    "img-src 'self' data:; object-src 'none'; script-src 'self'; script-src-attr 'none'; style-src 'self' 'unsafe-inline'",
  'cross-origin-resource-policy': 'same-origin',
};
