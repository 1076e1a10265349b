/**
 * Numbered schema migrations for PostgreSQL (the SQLite ones are ../migrations.ts). Applied in
 * order at start-up, each in its own transaction, by the one process holding the migration
 * advisory lock (store.ts); `ucc_schema.version` records the last one applied. Never edit a
 * released migration: add the next number.
 *
 * Column types follow the SQLite schema so that one set of SQL serves both (../sql/): instants in
 * ms and ids are BIGINT (read back as JS numbers), flags are INTEGER 0/1, documents are JSON text.
 * Ids the database assigns come from sequences, which are never restarted (not even by the demo
 * reset), so an id is never reused by another row while some process may still hold the old one.
 */
export const pgMigrations: string[] = [
  /* 1: the schema of SQLite migration 11, in one step */ `
  CREATE FUNCTION js_lower(text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT lower($1)';
  CREATE FUNCTION instr(text, text) RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT strpos($1, $2)';
  CREATE TABLE orgs (id TEXT PRIMARY KEY, doc TEXT NOT NULL);
  CREATE TABLE counters (name TEXT PRIMARY KEY, value BIGINT NOT NULL);
  CREATE TABLE customers (
    id BIGINT PRIMARY KEY, org_id TEXT NOT NULL, external_id TEXT NOT NULL,
    time_zone TEXT, balance BIGINT NOT NULL DEFAULT 0, created_ms BIGINT NOT NULL,
    UNIQUE (org_id, external_id));
  CREATE SEQUENCE customers_id_seq OWNED BY customers.id;
  -- A customer is inserted with an id (the demo seed) or without one: the sequence then skips past every given id.
  CREATE FUNCTION customers_fill_id() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF NEW.id IS NULL THEN
      NEW.id := nextval('customers_id_seq');
    ELSE
      PERFORM setval('customers_id_seq', NEW.id) WHERE NEW.id > (SELECT last_value FROM customers_id_seq);
    END IF;
    RETURN NEW;
  END $$;
  CREATE TRIGGER customers_fill_id BEFORE INSERT ON customers FOR EACH ROW EXECUTE FUNCTION customers_fill_id();
  CREATE TABLE event_defs (org_id TEXT NOT NULL, name TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (org_id, name));
  CREATE TABLE target_groups (
    id BIGINT PRIMARY KEY, org_id TEXT NOT NULL, name TEXT NOT NULL, user_created INTEGER NOT NULL,
    tracking_type TEXT NOT NULL, created_ms BIGINT NOT NULL, doc TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1, starts_ms BIGINT NOT NULL DEFAULT 0, ends_ms BIGINT NOT NULL DEFAULT 0,
    target_types TEXT NOT NULL DEFAULT '',
    UNIQUE (org_id, name));
  CREATE INDEX target_groups_list ON target_groups (org_id, user_created, id);
  CREATE TABLE targets (id BIGINT PRIMARY KEY, tg_id BIGINT NOT NULL, org_id TEXT NOT NULL, event_name TEXT);
  CREATE INDEX targets_tg ON targets (tg_id);
  CREATE TABLE enrolments (
    id BIGSERIAL PRIMARY KEY, org_id TEXT NOT NULL, tg_id BIGINT NOT NULL, target_id BIGINT NOT NULL,
    customer_id BIGINT NOT NULL, event_name TEXT, start_idx INTEGER NOT NULL, active INTEGER NOT NULL,
    enrolled_ms BIGINT NOT NULL, unenrolled_ms BIGINT,
    UNIQUE (target_id, customer_id));
  CREATE INDEX enrolments_customer_event ON enrolments (customer_id, event_name, active);
  CREATE TABLE progress (enrolment_id BIGINT NOT NULL, period_idx INTEGER NOT NULL,
    value DOUBLE PRECISION NOT NULL, achieved_ms BIGINT, PRIMARY KEY (enrolment_id, period_idx));
  CREATE TABLE visit_days (enrolment_id BIGINT NOT NULL, period_idx INTEGER NOT NULL, day TEXT NOT NULL,
    events BIGINT NOT NULL, PRIMARY KEY (enrolment_id, period_idx, day));
  CREATE TABLE completions (id BIGSERIAL PRIMARY KEY, enrolment_id BIGINT NOT NULL, kind TEXT NOT NULL,
    ref BIGINT NOT NULL, achieved_ms BIGINT NOT NULL, revoked_ms BIGINT);
  CREATE UNIQUE INDEX completions_live ON completions (enrolment_id, kind, ref) WHERE revoked_ms IS NULL;
  CREATE TABLE events (id BIGSERIAL PRIMARY KEY, org_id TEXT NOT NULL, customer_id BIGINT NOT NULL,
    event_name TEXT NOT NULL, external_event_id TEXT, occurred_ms BIGINT NOT NULL, fields TEXT NOT NULL,
    created_ms BIGINT NOT NULL, voided_ms BIGINT);
  CREATE UNIQUE INDEX events_external ON events (org_id, external_event_id);
  CREATE TABLE event_effects (event_id BIGINT NOT NULL, enrolment_id BIGINT NOT NULL,
    period_idx INTEGER NOT NULL, amount DOUBLE PRECISION NOT NULL, day TEXT, PRIMARY KEY (event_id, enrolment_id));
  CREATE TABLE promotions (id BIGINT PRIMARY KEY, org_id TEXT NOT NULL, program_id BIGINT NOT NULL,
    name TEXT NOT NULL, identifier TEXT NOT NULL, source_type TEXT NOT NULL, active INTEGER NOT NULL,
    created_ms BIGINT NOT NULL, doc TEXT NOT NULL,
    UNIQUE (org_id, program_id, name), UNIQUE (org_id, program_id, identifier));
  CREATE TABLE promotion_targets (promotion_id BIGINT NOT NULL, tg_id BIGINT NOT NULL, rule_id BIGINT,
    PRIMARY KEY (tg_id, promotion_id));
  CREATE TABLE ledger (id BIGSERIAL PRIMARY KEY, org_id TEXT NOT NULL, customer_id BIGINT NOT NULL,
    type TEXT NOT NULL, points BIGINT NOT NULL, promotion_id BIGINT, completion_id BIGINT,
    reverses_id BIGINT, reversed INTEGER NOT NULL DEFAULT 0, description TEXT NOT NULL,
    created_ms BIGINT NOT NULL, expires_ms BIGINT);
  CREATE INDEX ledger_customer ON ledger (customer_id, id);
  CREATE INDEX ledger_promotion ON ledger (promotion_id, customer_id);
  CREATE INDEX ledger_completion ON ledger (completion_id);
  CREATE TABLE challenges (id BIGSERIAL PRIMARY KEY, org_id TEXT NOT NULL, customer_id BIGINT NOT NULL,
    template_id TEXT NOT NULL, name TEXT NOT NULL, tg_id BIGINT NOT NULL, target_id BIGINT NOT NULL,
    promotion_id BIGINT NOT NULL, enrolment_id BIGINT NOT NULL, target DOUBLE PRECISION NOT NULL, period TEXT NOT NULL,
    period_count INTEGER NOT NULL, time_zone TEXT NOT NULL, reward_points BIGINT NOT NULL,
    starts_ms BIGINT NOT NULL, ends_ms BIGINT NOT NULL, created_ms BIGINT NOT NULL, left_ms BIGINT);
  CREATE INDEX challenges_customer ON challenges (customer_id, id);
  CREATE UNIQUE INDEX challenges_enrolment ON challenges (enrolment_id);
  CREATE TABLE activities (id BIGSERIAL PRIMARY KEY, org_id TEXT NOT NULL, customer_id BIGINT NOT NULL,
    challenge_id BIGINT, template_id TEXT NOT NULL, event_id BIGINT NOT NULL, quantity DOUBLE PRECISION NOT NULL,
    occurred_ms BIGINT NOT NULL, created_ms BIGINT NOT NULL, undone_ms BIGINT, request TEXT);
  CREATE INDEX activities_customer ON activities (customer_id, occurred_ms);
  CREATE TABLE idempotency (org_id TEXT NOT NULL, customer_id BIGINT NOT NULL, scope TEXT NOT NULL,
    key TEXT NOT NULL, status INTEGER NOT NULL, body TEXT NOT NULL, created_ms BIGINT NOT NULL, request_hash TEXT,
    PRIMARY KEY (org_id, customer_id, scope, key));
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  `,
  /* 2: one award per completion and promotion (a unique index); versions for the progress read cache of every instance (store.ts, dataVersion): a customer's row counts the
        transactions that wrote that customer's data; ucc_data_version counts those that wrote shared data (groups,
        promotions, definitions, organisations) or no customer's; neither is ever reset (not even by the demo reset) */ `
  ALTER TABLE customers ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
  CREATE TABLE ucc_data_version (v BIGINT NOT NULL);
  INSERT INTO ucc_data_version (v) VALUES (0);
  -- Exactly once by a constraint, as transactions run concurrently here: one award per completion and promotion.
  CREATE UNIQUE INDEX ledger_earn_once ON ledger (completion_id, promotion_id) WHERE type = 'EARN';
  `,
  /* 3: SQLite migration 12: Capillary webhook posts and their processing state; the unique keys of events */ `
  CREATE TABLE webhook_posts (id BIGSERIAL PRIMARY KEY, org_id TEXT NOT NULL, request_id TEXT NOT NULL, body TEXT NOT NULL,
    state TEXT NOT NULL, accepted_ms BIGINT NOT NULL, due_ms BIGINT NOT NULL, processed_ms BIGINT,
    customer_id BIGINT, event_id BIGINT, duplicate INTEGER NOT NULL DEFAULT 0, error_code BIGINT, message TEXT);
  CREATE UNIQUE INDEX webhook_posts_request ON webhook_posts (request_id);
  CREATE INDEX webhook_posts_pending ON webhook_posts (due_ms) WHERE state = 'ACCEPTED';
  CREATE TABLE event_unique_keys (org_id TEXT NOT NULL, customer_id BIGINT NOT NULL, event_name TEXT NOT NULL,
    unique_key TEXT NOT NULL, event_id BIGINT NOT NULL, PRIMARY KEY (org_id, customer_id, event_name, unique_key));
  `,
  /* 4: SQLite migration 13: the upstream loyalty backend's local state (Capillary userIds, create sagas, the outbox of webhook posts) */ `
  CREATE TABLE upstream_users (org_id TEXT NOT NULL, customer_id BIGINT PRIMARY KEY, user_id BIGINT NOT NULL);
  CREATE TABLE upstream_sagas (id BIGSERIAL PRIMARY KEY, org_id TEXT NOT NULL, customer_id BIGINT NOT NULL,
    saga_key TEXT NOT NULL, state TEXT NOT NULL, spec TEXT NOT NULL, group_id BIGINT, target_id BIGINT,
    promotion_id BIGINT, attempts INTEGER NOT NULL, last_error TEXT, created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL, UNIQUE (org_id, customer_id, saga_key));
  CREATE INDEX upstream_sagas_stale ON upstream_sagas (updated_ms) WHERE state NOT IN ('ACTIVE', 'ABANDONED');
  CREATE TABLE upstream_outbox (id BIGSERIAL PRIMARY KEY, org_id TEXT NOT NULL, customer_id BIGINT NOT NULL,
    external_id TEXT NOT NULL, event_name TEXT NOT NULL, body TEXT NOT NULL, occurred_ms BIGINT NOT NULL,
    created_ms BIGINT NOT NULL, due_ms BIGINT NOT NULL, state TEXT NOT NULL, attempts INTEGER NOT NULL,
    request_id TEXT, sent_ms BIGINT, last_error TEXT, touched TEXT NOT NULL, UNIQUE (org_id, external_id));
  CREATE INDEX upstream_outbox_due ON upstream_outbox (org_id, due_ms) WHERE state IN ('HELD', 'SENDING');
  `,
  /* 5: SQLite migration 14: coupon series, coupons and redemptions (spending points) */ `
  CREATE TABLE coupon_series (id BIGSERIAL PRIMARY KEY, org_id TEXT NOT NULL, description TEXT NOT NULL,
    discount_type TEXT NOT NULL, discount_value DOUBLE PRECISION NOT NULL, discount_upto DOUBLE PRECISION,
    expiry_days INTEGER NOT NULL, max_redeem INTEGER NOT NULL, created_ms BIGINT NOT NULL);
  CREATE TABLE coupons (id BIGSERIAL PRIMARY KEY, org_id TEXT NOT NULL, customer_id BIGINT NOT NULL, code TEXT NOT NULL,
    reward_id TEXT, series_id BIGINT, discount TEXT NOT NULL, issued_ms BIGINT NOT NULL, expires_ms BIGINT NOT NULL,
    redeemed_ms BIGINT, redeem_txn TEXT, cancelled_ms BIGINT, UNIQUE (org_id, code));
  CREATE INDEX coupons_customer ON coupons (customer_id, id);
  CREATE TABLE redemptions (id BIGSERIAL PRIMARY KEY, org_id TEXT NOT NULL, customer_id BIGINT NOT NULL, reward_id TEXT,
    points BIGINT NOT NULL, ledger_id BIGINT NOT NULL, coupon_id BIGINT, request_id TEXT NOT NULL,
    created_ms BIGINT NOT NULL, reversed_ms BIGINT, UNIQUE (org_id, customer_id, request_id));
  CREATE INDEX redemptions_customer ON redemptions (customer_id, id);
  -- A balance never goes below zero by a redemption: its UPDATE is conditional (balance >= points); the customer's
  -- lock serialises the redemptions of one customer.
  `,
];
