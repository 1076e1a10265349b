#!/usr/bin/env node
// The PostgreSQL half of the conformance suite gets a database of its own:
//   node scripts/pg-test-db.mjs create   → prints its URL (exit 0), or why PostgreSQL is unreachable (exit 2)
//   node scripts/pg-test-db.mjs drop URL → drops it
// The server is UCC_TEST_PG (default postgres://postgres@127.0.0.1:5432/postgres).
import pg from 'pg';

const admin = process.env.UCC_TEST_PG || 'postgres://postgres@127.0.0.1:5432/postgres';
const [cmd, url] = process.argv.slice(2);
const client = new pg.Client({ connectionString: admin, connectionTimeoutMillis: 3000 });
try {
  await client.connect();
} catch (err) {
  console.log(`no PostgreSQL at ${admin.replace(/\/\/[^@]*@/, '//…@')}: ${err.code ?? ''} ${err.message}`);
  process.exit(2);
}
try {
  if (cmd === 'create') {
    // Leftovers of runs that were killed before their drop (older than an hour) go first.
    const old = await client.query(
      `SELECT datname FROM pg_database WHERE datname LIKE 'ucc\\_conf\\_%' AND split_part(datname, '_', 4)::bigint < $1`,
      [Math.floor(Date.now() / 1000) - 3600],
    );
    for (const r of old.rows) await client.query(`DROP DATABASE IF EXISTS "${r.datname}" WITH (FORCE)`);
    const name = `ucc_conf_${process.pid}_${Math.floor(Date.now() / 1000)}`;
    await client.query(`CREATE DATABASE "${name}"`);
    const u = new URL(admin);
    u.pathname = `/${name}`;
    console.log(u.toString());
  } else if (cmd === 'drop' && url) {
    const name = new URL(url).pathname.slice(1);
    if (!/^ucc_conf_\d+_\d+$/.test(name)) throw new Error(`refusing to drop ${name}: not a conformance database`);
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } else {
    console.log('usage: pg-test-db.mjs create | drop URL');
    process.exit(1);
  }
} finally {
  await client.end();
}
