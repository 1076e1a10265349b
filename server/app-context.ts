import type { Store } from './store/types.js';
import type { OrgDoc } from './engine/org.js';
import type { LoyaltyFor } from './loyalty/port.js';

/** The server's notion of "now". In demo mode QA can move it forward (POST /demo/clock). */
export class Clock {
  offsetMs = 0;
  now() {
    return Date.now() + this.offsetMs;
  }
}

/** Organisations are configuration: loaded once, looked up by credential on every request. */
export class OrgRegistry {
  private byId = new Map<string, OrgDoc>();
  constructor(private store: Store) {}
  async load() {
    const orgs = await this.store.read((tx) => tx.listOrgs());
    this.byId = new Map(orgs.map((o) => [o.id, o]));
  }
  get(id: string) {
    return this.byId.get(id);
  }
  all() {
    return [...this.byId.values()];
  }
  byTill(username: string) {
    return this.all().find((o) => o.till?.username === username);
  }
  byOAuthKey(key: string) {
    return this.all().find((o) => o.oauthClients.some((c) => c.key === key));
  }
  byWebhook(id: string) {
    return this.all().find((o) => o.webhookIds.includes(id));
  }
}

export interface RateLimits {
  /** Widget API, per customer token and per client address. */
  perCustomerPerMinute: number;
  perIpPerMinute: number;
  /** Capillary-compatible API: requests per credential (till, OAuth client) and per client address. */
  capillaryPerCredentialPerMinute: number;
  capillaryPerIpPerMinute: number;
  /** Failed logins (Basic, OAuth token) per credential and per address before each further one doubles the wait. */
  loginFailures: number;
  /** POST /demo/session per client address (demo mode). */
  demoSessionPerMinute: number;
}

export const DEFAULT_RATE_LIMITS: RateLimits = {
  perCustomerPerMinute: 600,
  perIpPerMinute: 3000,
  capillaryPerCredentialPerMinute: 6000,
  capillaryPerIpPerMinute: 12000,
  loginFailures: 10,
  demoSessionPerMinute: 120,
};

export interface AppContext {
  store: Store;
  orgs: OrgRegistry;
  clock: Clock;
  demo: boolean;
  /** Demo mode: page origins added to the demo organisation's allowedOrigins (UCC_ALLOWED_ORIGINS), also on /demo/reset. */
  demoAllowedOrigins?: readonly string[];
  /** UCC_UPSTREAM_URL: the demo organisation's upstream (the demo shop's checkout calls its Capillary API). */
  demoUpstreamUrl?: string;
  /** UCC_DEMO_EVENT_KEY: the demo events' unique-key field, also on /demo/reset. */
  demoEventKey?: string;
  /** Signs this server's own OAuth access tokens. */
  tokenSecret: Uint8Array;
  rateLimits: RateLimits;
  /** UCC_CAPILLARY_ASYNC_MS: null = webhook posts processed before they are answered; N = accepted, processed N ms later. */
  capillaryAsyncMs: number | null;
  /** Each organisation's loyalty backend (server/loyalty/): the one place the widget API's platform is chosen. */
  loyaltyFor: LoyaltyFor;
}

declare module 'fastify' {
  interface FastifyInstance {
    ctx: AppContext;
  }
}
