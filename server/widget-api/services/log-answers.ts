/**
 * `POST /me/activities` once per Idempotency-Key, and the answer of a log (docs/widget-api.md,
 * Idempotency). Same contract as runIdempotent, but nothing is stored per log beyond the log itself:
 * the key is part of its event's external id, the request fingerprint sits on its activity row, the
 * answer's bytes are kept in memory (LogAnswerCache, owned by plugins/log-answers.ts) and, once
 * evicted, rebuilt from the rows (replayLog).
 */
import type { LogActivityRequest, LogActivityResponse } from '../../../contract/widget-api.js';
import {
  LogAnswerCache,
  logEventId,
  logRequestFingerprint,
  recordLog,
  replayCached,
  replayLog,
  type SentLog,
} from '../activities.js';
import type { Lang } from '../i18n.js';
import type { Customer, ServiceDeps } from './deps.js';

export interface LogOnce extends Customer {
  body: LogActivityRequest;
  key: string;
  lang: Lang;
  /**
   * The answer's bytes: `replay` is true for an answer rebuilt from the rows (serialised, as before
   * routes/ and services/ were split out, at the reply's default status), false for a new log's (201).
   */
  serialize: (answer: LogActivityResponse, replay: boolean, status?: number) => string;
}

/**
 * Records a log, or answers a replay of its key: the cached bytes when still in memory, else the
 * answer rebuilt from the rows (then cached). A different body with the key is refused (422).
 * Runs in a grouped commit when the store offers one.
 */
export async function logOnce(deps: ServiceDeps, answers: LogAnswerCache, input: LogOnce): Promise<SentLog> {
  const { org, customerId, body, key, lang } = input;
  const request = logRequestFingerprint(body);
  const { store } = deps;
  const loyalty = deps.loyaltyFor(org);
  const run = store.txGrouped ? store.txGrouped.bind(store) : store.tx.bind(store);
  // Upstream with the breaker open: the log is kept and queued, answered 202 (accepted, not yet sent).
  const status = loyalty.available?.(org) === false ? 202 : 201;
  const sent = await run(async (tx) => {
    const at = deps.clock.now();
    const prior = await loyalty.findPosting(tx, org, logEventId(customerId, key));
    if (prior) {
      const hit = answers.get(LogAnswerCache.key(prior, lang));
      if (hit) return replayCached(hit, request);
      const response = await replayLog(tx, loyalty, org, prior, request, at, lang);
      const rebuilt = { status: 201, body: Buffer.from(input.serialize(response, true)), request };
      answers.set(LogAnswerCache.key(prior, lang), rebuilt);
      return rebuilt;
    }
    const { response, posting } = await recordLog(tx, loyalty, org, customerId, body, key, at, request, lang);
    const answer = { status, body: Buffer.from(input.serialize(response, false, status)), request };
    // Set inside the transaction so a replay grouped into the same commit finds it; only read after the event is found.
    answers.set(LogAnswerCache.key(posting, lang), answer);
    return answer;
  });
  loyalty.afterWrite?.(org, customerId);
  return sent;
}
