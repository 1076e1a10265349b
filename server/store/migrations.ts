/**
 * Numbered schema migrations. Applied in order at start-up inside one transaction each;
 * `PRAGMA user_version` records the last one applied. Never edit a released migration:
 * add the next number.
 */
export const migrations: string[] = [
  /* 1: organisations, customers, behavioural events, target groups, enrolments, progress */ `
  CREATE TABLE orgs (id TEXT PRIMARY KEY, doc TEXT NOT NULL);
  CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
  CREATE TABLE customers (
    id INTEGER PRIMARY KEY, org_id TEXT NOT NULL, external_id TEXT NOT NULL,
    time_zone TEXT, balance INTEGER NOT NULL DEFAULT 0, created_ms INTEGER NOT NULL,
    UNIQUE (org_id, external_id));
  CREATE TABLE event_defs (org_id TEXT NOT NULL, name TEXT NOT NULL, doc TEXT NOT NULL,
    PRIMARY KEY (org_id, name));
  CREATE TABLE target_groups (
    id INTEGER PRIMARY KEY, org_id TEXT NOT NULL, name TEXT NOT NULL, user_created INTEGER NOT NULL,
    tracking_type TEXT NOT NULL, created_ms INTEGER NOT NULL, doc TEXT NOT NULL,
    UNIQUE (org_id, name));
  CREATE TABLE targets (id INTEGER PRIMARY KEY, tg_id INTEGER NOT NULL, org_id TEXT NOT NULL,
    event_name TEXT);
  CREATE INDEX targets_tg ON targets (tg_id);
  CREATE TABLE enrolments (
    id INTEGER PRIMARY KEY, org_id TEXT NOT NULL, tg_id INTEGER NOT NULL, target_id INTEGER NOT NULL,
    customer_id INTEGER NOT NULL, event_name TEXT, start_idx INTEGER NOT NULL, active INTEGER NOT NULL,
    enrolled_ms INTEGER NOT NULL, unenrolled_ms INTEGER,
    UNIQUE (target_id, customer_id));
  CREATE INDEX enrolments_customer_event ON enrolments (customer_id, event_name, active);
  CREATE TABLE progress (enrolment_id INTEGER NOT NULL, period_idx INTEGER NOT NULL,
    value REAL NOT NULL, achieved_ms INTEGER, PRIMARY KEY (enrolment_id, period_idx)) WITHOUT ROWID;
  CREATE TABLE visit_days (enrolment_id INTEGER NOT NULL, period_idx INTEGER NOT NULL, day TEXT NOT NULL,
    events INTEGER NOT NULL, PRIMARY KEY (enrolment_id, period_idx, day)) WITHOUT ROWID;
  CREATE TABLE completions (id INTEGER PRIMARY KEY, enrolment_id INTEGER NOT NULL, kind TEXT NOT NULL,
    ref INTEGER NOT NULL, achieved_ms INTEGER NOT NULL, revoked_ms INTEGER);
  CREATE UNIQUE INDEX completions_live ON completions (enrolment_id, kind, ref) WHERE revoked_ms IS NULL;
  CREATE TABLE events (id INTEGER PRIMARY KEY, org_id TEXT NOT NULL, customer_id INTEGER NOT NULL,
    event_name TEXT NOT NULL, external_event_id TEXT, occurred_ms INTEGER NOT NULL, fields TEXT NOT NULL,
    created_ms INTEGER NOT NULL, voided_ms INTEGER);
  CREATE UNIQUE INDEX events_external ON events (org_id, external_event_id);
  CREATE TABLE event_effects (event_id INTEGER NOT NULL, enrolment_id INTEGER NOT NULL,
    period_idx INTEGER NOT NULL, amount REAL NOT NULL, day TEXT, PRIMARY KEY (event_id, enrolment_id)) WITHOUT ROWID;
  `,
  /* 2: promotions and the points ledger */ `
  CREATE TABLE promotions (id INTEGER PRIMARY KEY, org_id TEXT NOT NULL, program_id INTEGER NOT NULL,
    name TEXT NOT NULL, identifier TEXT NOT NULL, source_type TEXT NOT NULL, active INTEGER NOT NULL,
    created_ms INTEGER NOT NULL, doc TEXT NOT NULL,
    UNIQUE (org_id, program_id, name), UNIQUE (org_id, program_id, identifier));
  CREATE TABLE promotion_targets (promotion_id INTEGER NOT NULL, tg_id INTEGER NOT NULL, rule_id INTEGER,
    PRIMARY KEY (tg_id, promotion_id)) WITHOUT ROWID;
  CREATE TABLE ledger (id INTEGER PRIMARY KEY, org_id TEXT NOT NULL, customer_id INTEGER NOT NULL,
    type TEXT NOT NULL, points INTEGER NOT NULL, promotion_id INTEGER, completion_id INTEGER,
    reverses_id INTEGER, reversed INTEGER NOT NULL DEFAULT 0, description TEXT NOT NULL,
    created_ms INTEGER NOT NULL, expires_ms INTEGER);
  CREATE INDEX ledger_customer ON ledger (customer_id, id);
  CREATE INDEX ledger_promotion ON ledger (promotion_id, customer_id);
  CREATE INDEX ledger_completion ON ledger (completion_id);
  `,
  /* 3: the widget API's own records */ `
  CREATE TABLE challenges (id INTEGER PRIMARY KEY, org_id TEXT NOT NULL, customer_id INTEGER NOT NULL,
    template_id TEXT NOT NULL, name TEXT NOT NULL, tg_id INTEGER NOT NULL, target_id INTEGER NOT NULL,
    promotion_id INTEGER NOT NULL, enrolment_id INTEGER NOT NULL, target REAL NOT NULL, period TEXT NOT NULL,
    period_count INTEGER NOT NULL, time_zone TEXT NOT NULL, reward_points INTEGER NOT NULL,
    starts_ms INTEGER NOT NULL, ends_ms INTEGER NOT NULL, created_ms INTEGER NOT NULL, left_ms INTEGER);
  CREATE INDEX challenges_customer ON challenges (customer_id, id);
  CREATE UNIQUE INDEX challenges_enrolment ON challenges (enrolment_id);
  CREATE TABLE activities (id INTEGER PRIMARY KEY, org_id TEXT NOT NULL, customer_id INTEGER NOT NULL,
    challenge_id INTEGER, template_id TEXT NOT NULL, event_id INTEGER NOT NULL, quantity REAL NOT NULL,
    occurred_ms INTEGER NOT NULL, created_ms INTEGER NOT NULL, undone_ms INTEGER);
  CREATE INDEX activities_customer ON activities (customer_id, occurred_ms);
  CREATE TABLE idempotency (org_id TEXT NOT NULL, customer_id INTEGER NOT NULL, scope TEXT NOT NULL,
    key TEXT NOT NULL, status INTEGER NOT NULL, body TEXT NOT NULL, created_ms INTEGER NOT NULL,
    PRIMARY KEY (org_id, customer_id, scope, key)) WITHOUT ROWID;
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  `,
  /* 4: widget API: request fingerprints for Idempotency-Key reuse detection; per-template activity sums */ `
  ALTER TABLE idempotency ADD COLUMN request_hash TEXT;
  CREATE INDEX activities_template ON activities (customer_id, template_id, occurred_ms);
  `,
  /* 5: widget API: the stored answer of each log, keyed by its event (found through events_external, appended in
        id order — far cheaper per log than a random-key row with a large body); the per-template index costs more
        per log than it saves on the per-day quantity sum */ `
  DROP INDEX IF EXISTS activities_template;
  CREATE TABLE log_replies (event_id INTEGER PRIMARY KEY, request TEXT, status INTEGER NOT NULL, body TEXT NOT NULL);
  `,
  /* 6: widget API: the per-period quantity sum of a log reads only this covering index (live logs of one
        customer and activity in a time range), however many other logs the customer has */ `
  CREATE INDEX activities_live_sum ON activities (customer_id, template_id, occurred_ms, quantity, undone_ms) WHERE undone_ms IS NULL;
  `,
  /* 7: widget API: a log no longer stores its ~1.8 kB answer (recent answers are kept in memory, older ones rebuilt
        from the rows); the request fingerprint that detects a reused Idempotency-Key moves onto the activity row */ `
  ALTER TABLE activities ADD COLUMN request TEXT;
  UPDATE activities SET request = (SELECT r.request FROM log_replies r WHERE r.event_id = activities.event_id);
  DROP TABLE log_replies;
  `,
  /* 8: widget API: one index on a customer's activities instead of two, so a log updates one index page fewer:
        (customer, occurred_ms) leads for the history and the replay lookup, and it carries template, quantity and
        undone_ms so that the per-period quantity sum reads only the index entries of that period */ `
  DROP INDEX IF EXISTS activities_live_sum;
  DROP INDEX IF EXISTS activities_customer;
  CREATE INDEX activities_customer_time ON activities (customer_id, occurred_ms, template_id, quantity, undone_ms);
  `,
  /* 9: undoes 8. Measured (bench/diagnose-log.ts with 200 logs per customer and day, as log-throughput reaches): the
        single index saved ~2 µs of commit per log but its per-period sum then read every activity of the customer's
        day, not just this template's, costing ~15 µs more SQL per log. Back to a history index plus the per-template
        covering index for the sum. */ `
  DROP INDEX IF EXISTS activities_customer_time;
  CREATE INDEX activities_customer ON activities (customer_id, occurred_ms);
  CREATE INDEX activities_live_sum ON activities (customer_id, template_id, occurred_ms, quantity, undone_ms) WHERE undone_ms IS NULL;
  `,
  /* 10: the per-period quantity sum is now kept in memory by the store (computed once per customer, activity and
        period, then added to by each log), so its index no longer earns the page every log wrote into it; the rare
        first sum of a period reads that customer's logs of the period through activities_customer */ `
  DROP INDEX IF EXISTS activities_live_sum;
  `,
  /* 11: Capillary list endpoints page and filter target groups in the database (status, tracking type, name, target
        type) instead of reading every group of the organisation into memory; the columns are written with the doc */ `
  ALTER TABLE target_groups ADD COLUMN active INTEGER NOT NULL DEFAULT 1;
  ALTER TABLE target_groups ADD COLUMN starts_ms INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE target_groups ADD COLUMN ends_ms INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE target_groups ADD COLUMN target_types TEXT NOT NULL DEFAULT '';
  UPDATE target_groups SET
    active = CASE WHEN json_extract(doc, '$.active') THEN 1 ELSE 0 END,
    starts_ms = json_extract(doc, '$.periods[0].startMs'),
    ends_ms = json_extract(doc, '$.periods[#-1].endMs'),
    target_types = ',' || (SELECT group_concat(json_extract(value, '$.targetType'), ',') FROM json_each(doc, '$.targets')) || ',';
  CREATE INDEX target_groups_list ON target_groups (org_id, user_created, id);
  `,
  /* 12: Capillary webhook posts (the requestId the platform answers, the raw body, the processing state: ACCEPTED, then
        PROCESSED or FAILED with its code), processed later when UCC_CAPILLARY_ASYNC_MS is set; and the unique keys of
        events whose definition declares isUniqueKeyField fields (one row per organisation, customer, event and values) */ `
  CREATE TABLE webhook_posts (id INTEGER PRIMARY KEY, org_id TEXT NOT NULL, request_id TEXT NOT NULL, body TEXT NOT NULL,
    state TEXT NOT NULL, accepted_ms INTEGER NOT NULL, due_ms INTEGER NOT NULL, processed_ms INTEGER,
    customer_id INTEGER, event_id INTEGER, duplicate INTEGER NOT NULL DEFAULT 0, error_code INTEGER, message TEXT);
  CREATE UNIQUE INDEX webhook_posts_request ON webhook_posts (request_id);
  CREATE INDEX webhook_posts_pending ON webhook_posts (due_ms) WHERE state = 'ACCEPTED';
  CREATE TABLE event_unique_keys (org_id TEXT NOT NULL, customer_id INTEGER NOT NULL, event_name TEXT NOT NULL,
    unique_key TEXT NOT NULL, event_id INTEGER NOT NULL, PRIMARY KEY (org_id, customer_id, event_name, unique_key));
  `,
  /* 13: what the upstream loyalty backend keeps locally for an organisation on a real Capillary organisation
        (docs/upstream.md, server/store/port/upstream-state.ts): each customer's Capillary userId (looked up once), one
        create saga per challenge (its step and the ids the platform gave; unique by its key, so a retried create resumes
        it), and the outbox of webhook posts (one per log, unique by its external id; sent when due, retried, voided) */ `
  CREATE TABLE upstream_users (org_id TEXT NOT NULL, customer_id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL);
  CREATE TABLE upstream_sagas (id INTEGER PRIMARY KEY, org_id TEXT NOT NULL, customer_id INTEGER NOT NULL,
    saga_key TEXT NOT NULL, state TEXT NOT NULL, spec TEXT NOT NULL, group_id INTEGER, target_id INTEGER,
    promotion_id INTEGER, attempts INTEGER NOT NULL, last_error TEXT, created_ms INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL, UNIQUE (org_id, customer_id, saga_key));
  CREATE INDEX upstream_sagas_stale ON upstream_sagas (updated_ms) WHERE state NOT IN ('ACTIVE', 'ABANDONED');
  CREATE TABLE upstream_outbox (id INTEGER PRIMARY KEY, org_id TEXT NOT NULL, customer_id INTEGER NOT NULL,
    external_id TEXT NOT NULL, event_name TEXT NOT NULL, body TEXT NOT NULL, occurred_ms INTEGER NOT NULL,
    created_ms INTEGER NOT NULL, due_ms INTEGER NOT NULL, state TEXT NOT NULL, attempts INTEGER NOT NULL,
    request_id TEXT, sent_ms INTEGER, last_error TEXT, touched TEXT NOT NULL, UNIQUE (org_id, external_id));
  CREATE INDEX upstream_outbox_due ON upstream_outbox (org_id, due_ms) WHERE state IN ('HELD', 'SENDING');
  `,
  /* 14: spending points (issue 15, docs/rewards.md): coupon series (a brand's Capillary-style discount set-up), coupons (one
        code per customer and use, unique per organisation; the discount as JSON), and redemptions (points spent: the REDEEM
        ledger entry, the coupon it bought, and the request id that makes a retry answer the first redemption) */ `
  CREATE TABLE coupon_series (id INTEGER PRIMARY KEY, org_id TEXT NOT NULL, description TEXT NOT NULL,
    discount_type TEXT NOT NULL, discount_value REAL NOT NULL, discount_upto REAL, expiry_days INTEGER NOT NULL,
    max_redeem INTEGER NOT NULL, created_ms INTEGER NOT NULL);
  CREATE TABLE coupons (id INTEGER PRIMARY KEY, org_id TEXT NOT NULL, customer_id INTEGER NOT NULL, code TEXT NOT NULL,
    reward_id TEXT, series_id INTEGER, discount TEXT NOT NULL, issued_ms INTEGER NOT NULL, expires_ms INTEGER NOT NULL,
    redeemed_ms INTEGER, redeem_txn TEXT, cancelled_ms INTEGER, UNIQUE (org_id, code));
  CREATE INDEX coupons_customer ON coupons (customer_id, id);
  CREATE TABLE redemptions (id INTEGER PRIMARY KEY, org_id TEXT NOT NULL, customer_id INTEGER NOT NULL, reward_id TEXT,
    points INTEGER NOT NULL, ledger_id INTEGER NOT NULL, coupon_id INTEGER, request_id TEXT NOT NULL,
    created_ms INTEGER NOT NULL, reversed_ms INTEGER, UNIQUE (org_id, customer_id, request_id));
  CREATE INDEX redemptions_customer ON redemptions (customer_id, id);
  `,
];
