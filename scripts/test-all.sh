#!/usr/bin/env bash
# Runs every test suite and ends with one line: `N passed, N failed` summed over all suites.
# A suite that cannot run at all (crash, no output) counts as one failure.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p .tmp
total_pass=0; total_fail=0; status=0

# Browser suites need Debian's Chromium; install it when missing (as root, like CI).
if [ -z "${CHROME_PATH:-}" ] && ! [ -x /usr/bin/chromium ] && command -v apt-get >/dev/null 2>&1; then
  echo "Chromium is missing: installing Debian's chromium package"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >.tmp/apt.log 2>&1 || tail -5 .tmp/apt.log
fi

run_node_suite() { # name, glob...
  local name=$1; shift
  local files=() g
  for g in "$@"; do files+=( $(compgen -G "$g") ); done
  [ ${#files[@]} -eq 0 ] && return
  echo "== $name (${#files[@]} files)"
  local log=".tmp/$name.log"
  node --import tsx --test --test-concurrency=1 --test-reporter=spec --test-reporter-destination=stdout \
       --test-reporter=tap --test-reporter-destination=".tmp/$name.tap" "${files[@]}" 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  local p f
  p=$(grep -E '^# pass ' ".tmp/$name.tap" | tail -1 | awk '{print $3}')
  f=$(grep -E '^# fail ' ".tmp/$name.tap" | tail -1 | awk '{print $3}')
  p=${p:-0}; f=${f:-0}
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  echo "$name: $p passed, $f failed"
  total_pass=$((total_pass + p)); total_fail=$((total_fail + f))
  [ "$rc" -ne 0 ] && status=1
}

run_wtr_suite() {
  compgen -G 'test/elements/*.test.ts' >/dev/null || return
  echo "== elements (web-test-runner, Chromium)"
  local log=".tmp/elements.log"
  ./node_modules/.bin/wtr --static-logging 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  local line p f
  line=$(grep -aoE '[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
  p=$(echo "$line" | awk '{print $1}'); f=$(echo "$line" | awk '{print $3}')
  p=${p:-0}; f=${f:-0}
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  echo "elements: $p passed, $f failed"
  total_pass=$((total_pass + p)); total_fail=$((total_fail + f))
  [ "$rc" -ne 0 ] && status=1
}

# Lint first: ESLint (layer zones, no import cycles, typescript-eslint, lit, wc) and Prettier; one check each.
run_check() { # name, command...
  local name=$1; shift
  echo "== $name"
  if "$@" > ".tmp/$name.log" 2>&1; then echo "$name: 1 passed, 0 failed"; total_pass=$((total_pass + 1));
  else tail -40 ".tmp/$name.log"; echo "$name: 0 passed, 1 failed"; total_fail=$((total_fail + 1)); status=1; fi
}
run_check eslint ./node_modules/.bin/eslint .
run_check prettier ./node_modules/.bin/prettier --check .

# Built first: the server suite also checks the files it serves (dist/), and the end-to-end suites load them.
npm run --silent build >/dev/null 2>&1 || npm run build
# A suite run beside the server suite (its own node process; counted when it ends): the upstream fault tests, which
# spend most of their time waiting (the upstream down for a minute). Its output is shown after the server suite's.
# (The PostgreSQL half beside it as well saved 10 s of 12.5 min on two cores: it runs after.)
run_beside() { # name, command... (in the background; output to .tmp/<name>.out)
  local name=$1; shift
  ( "$@" ) > ".tmp/$name.out" 2>&1 &
  beside_pids+=("$!"); beside_names+=("$name")
}
collect_beside() {
  local i name line
  for i in "${!beside_pids[@]}"; do
    name=${beside_names[$i]}
    wait "${beside_pids[$i]}"
    cat ".tmp/$name.out"
    # A background run's counts live in its own shell: read them from its summary line.
    line=$(grep -E "^$name: [0-9]+ passed, [0-9]+ failed" ".tmp/$name.out" | tail -1)
    if [ -n "$line" ]; then
      total_pass=$((total_pass + $(echo "$line" | awk '{print $2}')))
      total_fail=$((total_fail + $(echo "$line" | awk '{print $4}')))
      [ "$(echo "$line" | awk '{print $4}')" -ne 0 ] && status=1
    elif ! grep -q "^== $name: SKIPPED" ".tmp/$name.out"; then
      echo "$name: 0 passed, 1 failed (no result)"; total_fail=$((total_fail + 1)); status=1
    fi
  done
}
beside_pids=(); beside_names=()
SLOW_SERVER=test/server/upstream-faults.test.ts
run_beside server-faults run_node_suite server-faults "$SLOW_SERVER"
# The conformance suite's PostgreSQL half: the tests that exercise persistence, again, on PostgreSQL (UCC_TEST_PG,
# default postgres://postgres@127.0.0.1:5432/postgres), in a database of their own, each test in a fresh schema.
PG_TESTS=(engine loyalty-port widget-idempotency widget-story capillary widget-activities widget-challenges widget-auth
  widget-read-cache widget-i18n demo-session allowed-origins abuse-edges capillary-upstream upstream-state upstream-parity
  upstream-saga redemptions widget-rewards demo-shop)
postgres_half() {
  local pg_url
  if pg_url=$(node scripts/pg-test-db.mjs create); then
    UCC_TEST_STORE=postgres UCC_TEST_PG_URL=$pg_url run_node_suite server-postgres $(printf "test/server/%s.test.ts " "${PG_TESTS[@]}")
    node scripts/pg-test-db.mjs drop "$pg_url" || true
  else
    echo "== server-postgres: SKIPPED, the PostgreSQL half of the conformance suite did not run: $pg_url"
    echo "   (set UCC_TEST_PG to a reachable PostgreSQL server, e.g. postgres://postgres@127.0.0.1:5432/postgres)"
  fi
}
run_node_suite server $(compgen -G 'test/server/*.test.ts' | grep -vx "$SLOW_SERVER")
collect_beside
postgres_half
run_wtr_suite
run_node_suite e2e 'test/e2e/*.test.ts'

echo "$total_pass passed, $total_fail failed"
exit $status
