/** Reads configuration and listens. Everything else is in buildApp (server/app.ts). */
import { buildApp } from './app.js';
import { readConfig } from './config.js';
import { readOrgsFile, startupProblems, type DefinedEvents } from './orgs-file.js';
import { dbName, openStore } from './store/open.js';

/** How long SIGTERM/SIGINT waits for in-flight requests before exiting anyway. */
const SHUTDOWN_MS = 3000;

async function main() {
  const config = readConfig();
  if (!config.demo && !config.orgsFile) {
    throw new Error(
      'Production mode (UCC_DEMO=0) needs UCC_ORGS_FILE: the JSON file of the organisations to serve (start from server/orgs.example.json).',
    );
  }
  // Checked before the database is opened: a bad file changes nothing.
  const orgs = !config.demo && config.orgsFile ? readOrgsFile(config.orgsFile) : null;
  const store = await openStore(config.db, {
    backgroundCheckpoint: true,
    durability: config.durability,
    poolSize: config.pgPoolSize,
  });
  if (!config.demo) {
    if (await store.read((tx) => tx.getOrg('demo'))) {
      store.close();
      throw new Error(
        `The database ${dbName(config.db)} holds the demo organisation; production mode needs a database without demo data.`,
      );
    }
    if (orgs) {
      // Deep checks that need the database (events defined there count), before anything is written.
      const defined = new Map<string, DefinedEvents>();
      await store.read(async (tx) => {
        for (const o of orgs) defined.set(o.id, new Map((await tx.listEventDefs(o.id)).map((d) => [d.eventName, d])));
      });
      const problems = startupProblems(config.orgsFile!, orgs, (id) => defined.get(id) ?? new Map());
      if (problems.length) {
        store.close();
        throw new Error(problems.join('\n'));
      }
      const now = Date.now();
      await store.tx(async (tx) => {
        for (const { events, ...o } of orgs) {
          await tx.putOrg(o);
          for (const e of events ?? []) {
            if (defined.get(o.id)?.has(e.eventName)) continue;
            await tx.putEventDef(o.id, {
              eventName: e.eventName,
              actions: ['EMFConsumer'],
              createdMs: now,
              fields: [
                {
                  name: 'customer',
                  type: 'customer',
                  attributes: { addCustomerIfNotExists: { valueType: 'Boolean', value: 'false' } },
                },
                ...e.fields.map((name) => ({
                  name,
                  type: 'double',
                  attributes: { isRequired: { valueType: 'Boolean', value: 'true' } },
                })),
              ],
            });
          }
        }
      });
    }
  }
  const app = await buildApp({
    store,
    demo: config.demo,
    demoAllowedOrigins: config.allowedOrigins,
    tokenSecret: config.tokenSecret,
    rateLimits: config.rateLimits,
    capillaryAsyncMs: config.capillaryAsyncMs,
    upstreamUrl: config.upstreamUrl,
    upstreamGraceMs: config.upstreamGraceMs,
    demoEventKey: config.demoEventKey,
    logger: { level: process.env.LOG_LEVEL ?? 'info' },
  });
  app.addHook('onClose', async () => store.close());
  // Without the worker the WAL is still checkpointed (by the request connection, past 64 MB), only slower.
  store.checkpointer?.ready.catch((err) =>
    app.log.warn(
      `WAL checkpoints stay on the request thread: the checkpoint worker did not start (${err?.message ?? err})`,
    ),
  );
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info(`${signal}: closing (in-flight requests finish first)`);
    // In-flight requests end within the store's busy deadline; whatever still hangs does not keep the process.
    setTimeout(() => {
      app.log.error(`${signal}: requests still running after ${SHUTDOWN_MS} ms; exiting anyway`);
      process.exit(1);
    }, SHUTDOWN_MS).unref();
    // A keep-alive connection whose request was in flight when closing began is idle once answered: close it then.
    setInterval(() => app.server.closeIdleConnections(), 50).unref();
    app.close().then(
      () => process.exit(0),
      (err) => {
        app.log.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  // A file size limit (ulimit -f) reached: the write fails with EFBIG and is answered 503, instead of the signal killing the process.
  process.on('SIGXFSZ', () => undefined);
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  console.log(
    `ucc-widgets server ready on http://${config.host}:${port}/ (${config.demo ? 'demo mode: demo organisation seeded' : 'production mode'}; database ${dbName(config.db)})`,
  );
  if (config.demo && config.allowedOrigins.length)
    console.log(
      `Pages at ${config.allowedOrigins.join(', ')} may call the widget API as the demo organisation (UCC_ALLOWED_ORIGINS).`,
    );
}

main().catch((err) => {
  console.error(`ucc-widgets: cannot start: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
});
