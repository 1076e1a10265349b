/**
 * EXPERIMENT, not shipped code: the part of ky that src/api/client.ts uses (prefixUrl, method,
 * json, searchParams, headers, timeout, retry with backoff for retryable statuses, custom fetch,
 * `.json()`, HTTPError with `.response`) as a plain fetch wrapper. bench/experiments/bundle-without-ky.ts
 * builds the script-tag bundle with `ky` resolved to this file to measure what ky costs.
 */
export class HTTPError extends Error {
  constructor(public response: Response) {
    super(`Request failed with status code ${response.status}`);
    this.name = 'HTTPError';
  }
}

interface Options {
  prefixUrl?: string;
  method?: string;
  json?: unknown;
  searchParams?: Record<string, string>;
  headers?: Record<string, string>;
  timeout?: number;
  fetch?: typeof fetch;
  retry?: number | { limit: number; methods?: string[]; backoffLimit?: number };
}
const RETRY = [408, 413, 429, 500, 502, 503, 504];

export default function ky(path: string, o: Options = {}) {
  const run = async () => {
    let url = (o.prefixUrl ?? '').replace(/\/?$/, '/') + path;
    const q = new URLSearchParams(o.searchParams).toString();
    if (q) url += '?' + q;
    const headers: Record<string, string> = { accept: 'application/json', ...o.headers };
    let body: string | undefined;
    if (o.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(o.json);
    }
    const limit = typeof o.retry === 'number' ? o.retry : (o.retry?.limit ?? 0);
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await (o.fetch ?? fetch)(url, {
          method: (o.method ?? 'get').toUpperCase(),
          headers,
          body,
          signal: AbortSignal.timeout(o.timeout ?? 10_000),
        });
        if (res.ok) return res;
        if (attempt >= limit || !RETRY.includes(res.status)) throw new HTTPError(res);
        const after = Number(res.headers.get('retry-after'));
        await new Promise((r) => setTimeout(r, after > 0 ? after * 1000 : Math.min(300 * 2 ** attempt, 3000)));
      } catch (e) {
        if (e instanceof HTTPError || attempt >= limit) throw e;
        await new Promise((r) => setTimeout(r, Math.min(300 * 2 ** attempt, 3000)));
      }
    }
  };
  return { json: async <T>() => (await (await run()).json()) as T };
}
