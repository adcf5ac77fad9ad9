#!/usr/bin/env bash
# API fuzzing gate: schemathesis against /api/v1/openapi.json of the real binary serving the
# demo, once per role (operator, customer admin, customer user) and backend, each time on a
# fresh demo database. Fails when any check finds something.
#
# Usage: scripts/api-fuzz.sh [sqlite|postgres|both] [ROLE...]
#   ROLE: operator, admin, user (default: all three); backend default: both.
# Environment:
#   API_FUZZ_SECONDS   time budget per role and backend (default 75, at most 300)
#   API_FUZZ_SEED      schemathesis seed (default: random; printed, so a run can be replayed)
#   API_FUZZ_BIN   the binary (default: $CARGO_TARGET_DIR/debug/collectstamp, else target/)
#   COLLECTSTAMP_TEST_PG_URL  PostgreSQL server (default postgres://postgres@127.0.0.1:5432/test);
#                      a scratch database is created beside it and dropped afterwards
#   API_FUZZ_VENV      where schemathesis is installed (default: the cargo cache's collectstamp dir)
#   API_FUZZ_REPORT    directory of the JUnit reports (default: a temporary directory)
# Replay one failure: schemathesis prints a curl command per failure; the server of that
# role keeps running while the script is interrupted with ^Z, or run the script for one role.
set -euo pipefail
cd "$(dirname "$0")/.."

SCHEMATHESIS_VERSION=4.32.5
backend="${1:-both}"
shift || true
roles=("$@")
[ ${#roles[@]} -eq 0 ] && roles=(operator admin user)
seconds="${API_FUZZ_SECONDS:-75}"
[ "$seconds" -gt 300 ] && seconds=300
cache_home="${XDG_CACHE_HOME:-${HOME:-/var/tmp}/.cache}"
venv="${API_FUZZ_VENV:-$cache_home/collectstamp/schemathesis-$SCHEMATHESIS_VERSION}"
pg_url="${COLLECTSTAMP_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/test}"
bin="${API_FUZZ_BIN:-${CARGO_TARGET_DIR:-target}/debug/collectstamp}"
report="${API_FUZZ_REPORT:-$(mktemp -d)}"
mkdir -p "$report"

case "$backend" in sqlite | postgres | both) ;; *)
  echo "usage: $0 [sqlite|postgres|both] [operator|admin|user ...]" >&2
  exit 2
  ;;
esac
[ -x "$bin" ] || { echo "no binary at $bin: run cargo build -p cs-cli first" >&2; exit 2; }

# schemathesis, pinned, in a virtual environment outside the clone (warm runs skip this).
if [[ "$("$venv/bin/schemathesis" --version 2>/dev/null || true)" != *"$SCHEMATHESIS_VERSION"* ]]; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

# The demo logins of each role (printed by `serve --demo`; the demo's passwords are fixed).
login_of() {
  case "$1" in
    operator) echo operator ;;
    admin) echo vandamme.admin ;;
    user) echo vandamme.user ;;
    *) echo "unknown role $1" >&2; return 2 ;;
  esac
}

server_pid=""
scratch_db=""
data_dir=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  server_pid=""
  if [ -n "$scratch_db" ]; then
    psql "$pg_url" -qc "DROP DATABASE IF EXISTS \"$scratch_db\" WITH (FORCE)" >/dev/null 2>&1 || true
  fi
  scratch_db=""
  if [ -n "$data_dir" ]; then rm -rf "$data_dir"; fi
  data_dir=""
}
trap cleanup EXIT

failures=0
run_one() {
  local backend="$1" role="$2" login password db_url base token self_id log started
  login="$(login_of "$role")"
  password="$login-demo-2026"
  data_dir="$(mktemp -d)"
  if [ "$backend" = postgres ]; then
    scratch_db="cs_fuzz_$$_$role"
    psql "$pg_url" -qc "CREATE DATABASE \"$scratch_db\"" >/dev/null
    db_url="${pg_url%/*}/$scratch_db"
  else
    db_url="sqlite://$data_dir/collectstamp.db?mode=rwc"
  fi
  log="$data_dir/server.log"
  # PostgreSQL wants the instances' shared secret key named; SQLite makes its own.
  (umask 077 && head -c 32 /dev/urandom | base64 >"$data_dir/secret.key")
  COLLECTSTAMP_DATA_DIR="$data_dir" COLLECTSTAMP_BIND=127.0.0.1:0 COLLECTSTAMP_DATABASE_URL="$db_url" \
    COLLECTSTAMP_SECRET_KEY_FILE="$data_dir/secret.key" \
    "$bin" serve --demo >"$log" 2>&1 &
  server_pid=$!
  base=""
  for _ in $(seq 1 600); do
    base="$(sed -n 's|^Collect & Stamp portal listening on \(http://[^ ]*\)/$|\1|p' "$log")"
    [ -n "$base" ] && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  if [ -z "$base" ]; then
    echo "the server did not start:" >&2
    cat "$log" >&2
    return 1
  fi
  grep -q "^$login / $password\$" "$log" || { echo "demo login $login not printed" >&2; return 1; }
  token="$(curl -sf -X POST "$base/api/v1/auth/token" -H 'Content-Type: application/json' \
    -d "{\"username\":\"$login\",\"password\":\"$password\"}" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')"
  self_id="$(curl -sf "$base/api/v1/me" -H "Authorization: Bearer $token" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')"
  echo "== schemathesis $backend $role ($login, id $self_id) on $base, ${seconds}s"
  started=$(date +%s)
  local seed_args=()
  [ -n "${API_FUZZ_SEED:-}" ] && seed_args=(--seed "$API_FUZZ_SEED")
  if ! SCHEMATHESIS_HOOKS="$PWD/scripts/api_fuzz_hooks.py" API_FUZZ_SELF_ID="$self_id" \
    API_FUZZ_SELF_LOGIN="$login" "$venv/bin/schemathesis" --no-color run "$base/api/v1/openapi.json" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --header "Authorization: Bearer $token" \
    --max-time "$seconds" --workers 2 --request-timeout 30 \
    --generation-database none --suppress-health-check all \
    --report junit --report-junit-path "$report/$backend-$role.xml" \
    "${seed_args[@]}"; then
    failures=$((failures + 1))
    echo "!! schemathesis found failures: $backend $role (server log: tail below)" >&2
    tail -n 20 "$log" >&2
  fi
  echo "== $backend $role took $(($(date +%s) - started))s"
  cleanup
}

for b in sqlite postgres; do
  [ "$backend" = both ] || [ "$backend" = "$b" ] || continue
  for role in "${roles[@]}"; do run_one "$b" "$role"; done
done
echo "JUnit reports in $report"
if [ "$failures" -gt 0 ]; then
  echo "api fuzzing: $failures run(s) with failures" >&2
  exit 1
fi
echo "api fuzzing: no failures"
