/**
 * The demo page's story through the UI, on two real server processes sharing one PostgreSQL
 * database — a brand's site behind a load balancer, where a customer's page may reach either
 * instance. Each process gets a database of its own on UCC_TEST_PG (default
 * postgres://postgres@127.0.0.1:5432/postgres), dropped afterwards; skipped, saying why, without one.
 */
import { test, before, after } from 'node:test';
import pg from 'pg';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, startServer, type RunningServer } from './harness.js';

const ADMIN = process.env.UCC_TEST_PG || 'postgres://postgres@127.0.0.1:5432/postgres';
const DB = `ucc_e2e_${process.pid}`;
const admin = new pg.Client({ connectionString: ADMIN, connectionTimeoutMillis: 3000 });
let skip: string | null = null;
let a: RunningServer, b: RunningServer;
let browser: Browser;

before(async () => {
  try {
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${DB}`);
  } catch (err) {
    skip = `no PostgreSQL at ${ADMIN}: ${(err as Error).message}`;
    return;
  }
  const u = new URL(ADMIN);
  u.pathname = `/${DB}`;
  [a, b] = await Promise.all([startServer({ UCC_DB: u.toString() }), startServer({ UCC_DB: u.toString() })]);
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await Promise.all([a?.stop(), b?.stop()]);
  if (!skip) await admin.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`).catch(() => undefined);
  await admin.end().catch(() => undefined);
});

const progress = (page: Page) => page.locator('ucc-progress');
const points = (page: Page) => page.locator('ucc-points');
async function open(server: RunningServer) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 }, reducedMotion: 'reduce' });
  await page.goto(`${server.url}/`);
  await page.getByText('Signed in as alice').waitFor();
  return page;
}
async function logGlasses(page: Page, n: number) {
  const log = page.locator('ucc-log-activity');
  await log.getByLabel('Quantity (glasses)').fill(String(n));
  await log.getByRole('button', { name: 'Log', exact: true }).click();
}

test('alice’s challenge, logs, days and reward are the same on either of two instances of one PostgreSQL database', async (t) => {
  if (skip) return t.skip(skip);
  const onA = await open(a);
  const create = onA.locator('ucc-create-challenge');
  await create.getByLabel('Activity').selectOption({ label: 'Drink water' });
  await create.getByLabel(/Goal per period/).fill('8');
  await create.getByLabel(/Length/).fill('3');
  await create.getByLabel(/Name/).fill('Hydrate');
  await create.getByRole('button', { name: 'Create challenge' }).click();
  await progress(onA).getByText('0 of 8 glasses', { exact: true }).waitFor();

  // Day 1 logged on A; B's page shows it. Day 2: the clock moved on B, logged on B; A follows.
  await logGlasses(onA, 8);
  await progress(onA).getByText('8 of 8 glasses', { exact: true }).waitFor();
  const onB = await open(b);
  await progress(onB).getByText('8 of 8 glasses', { exact: true }).waitFor();
  await onB.getByRole('button', { name: 'Advance 1 day' }).click();
  await progress(onB).getByText('0 of 8 glasses', { exact: true }).waitFor();
  await logGlasses(onB, 8);
  await progress(onB).getByText('8 of 8 glasses', { exact: true }).waitFor();
  await onA.reload();
  await progress(onA)
    .getByText(/Streak 2 of 3/)
    .waitFor();

  // Day 3 on A (its clock followed B's): the reward, seen on both.
  await onA.getByRole('button', { name: 'Advance 1 day' }).click();
  await progress(onA).getByText('0 of 8 glasses', { exact: true }).waitFor();
  await logGlasses(onA, 8);
  await progress(onA).getByText('Completed').waitFor();
  await points(onA).getByText('Balance: 30 points').waitFor();
  await onB.reload();
  await progress(onB).getByText('Completed').waitFor();
  await points(onB).getByText('Balance: 30 points').waitFor();
});
