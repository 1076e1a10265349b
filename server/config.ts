import { readFileSync } from 'node:fs';
import { DEMO_TOKEN_SECRET, DEMO_WIDGET_SECRET, md5 } from './seed.js';
import type { OrgDoc } from './engine/org.js';

export interface Config {
  host: string; port: number; db: string; demo: boolean; tokenSecret: string; orgsFile: string | null;
  rateLimits: { perCustomerPerMinute: number; perIpPerMinute: number };
}

const DEMO_SECRETS = new Set([DEMO_TOKEN_SECRET, DEMO_WIDGET_SECRET, 'demo-secret', md5('demo.pass')]);

/** Reads the environment. Production mode (UCC_DEMO=0) refuses demo or weak secrets. */
export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const demo = env.UCC_DEMO !== '0' && env.UCC_DEMO !== 'false';
  const port = Number(env.PORT ?? 8787);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number (got ${env.PORT}).`);
  const tokenSecret = env.UCC_TOKEN_SECRET ?? (demo ? DEMO_TOKEN_SECRET : '');
  if (!demo) {
    if (tokenSecret.length < 32 || DEMO_SECRETS.has(tokenSecret)) {
      throw new Error('Production mode (UCC_DEMO=0) needs UCC_TOKEN_SECRET: a random secret of at least 32 characters, not a demo value.');
    }
  }
  return {
    host: env.HOST ?? '127.0.0.1', port, db: env.UCC_DB ?? './data/ucc.db', demo, tokenSecret,
    orgsFile: env.UCC_ORGS_FILE ?? null,
    rateLimits: {
      perCustomerPerMinute: Number(env.UCC_RATE_CUSTOMER_PER_MIN ?? 600),
      perIpPerMinute: Number(env.UCC_RATE_IP_PER_MIN ?? 3000),
    },
  };
}

/** Organisations for production, from UCC_ORGS_FILE (a JSON array of OrgDoc). Refuses demo secrets. */
export function readOrgsFile(file: string): OrgDoc[] {
  const orgs = JSON.parse(readFileSync(file, 'utf8')) as OrgDoc[];
  if (!Array.isArray(orgs)) throw new Error(`${file} must hold a JSON array of organisations.`);
  for (const o of orgs) {
    if (!o.widgetSecret || o.widgetSecret.length < 32 || DEMO_SECRETS.has(o.widgetSecret)) throw new Error(`Organisation ${o.id}: widgetSecret must be at least 32 characters and not a demo value.`);
    if (o.oauthClients?.some((c) => c.secret.length < 16 || DEMO_SECRETS.has(c.secret))) throw new Error(`Organisation ${o.id}: an OAuth client secret is weak or a demo value.`);
    if (o.till && DEMO_SECRETS.has(o.till.passwordMd5)) throw new Error(`Organisation ${o.id}: the till password is a demo value.`);
  }
  return orgs;
}
