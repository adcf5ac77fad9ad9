#!/usr/bin/env bash
# The CSV export of one customer's year (default 1,000,000 transactions) through the HTTP API,
# next to `sqlite3 -csv` of the same rows from the same database, in the same run.
#
#   cargo build --release && scripts/bench-export.sh [ROWS] [ROUNDS]
#
# Prints each round's seconds for both and the medians; the CSV files are compared by their
# row count. Needs curl and sqlite3. Uses a fresh temporary data directory.
set -euo pipefail

rows=${1:-1000000}
rounds=${2:-3}
bin=${BENCH_BIN:-target/release/collectstamp}
port=${BENCH_PORT:-8093}
work=$(mktemp -d)
trap 'kill "${server:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT

export COLLECTSTAMP_DATA_DIR="$work/data"
export COLLECTSTAMP_BIND="127.0.0.1:$port"
export COLLECTSTAMP_PUBLIC_URL="http://127.0.0.1:$port"
export COLLECTSTAMP_EXPORTS_PER_CUSTOMER=4

echo "generating $rows rows of one customer"
"$bin" bench import --rows "$rows" --customers 1 --rounds 0 --dir "$work/feeds" >/dev/null
"$bin" migrate >/dev/null 2>&1
"$bin" demo >/dev/null 2>&1
for kind in customers cost-centres collection-points products transactions; do
    "$bin" import --update "$kind" "$work/feeds/files/$kind.csv" >/dev/null 2>&1
done

"$bin" serve >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
    sleep 0.1
done
token=$(curl -fs -X POST -H 'Content-Type: application/json' \
    -d '{"username":"operator","password":"operator-demo-2026"}' \
    "http://127.0.0.1:$port/api/v1/auth/token" | sed -E 's/.*"token":"([^"]+)".*/\1/')

db="$COLLECTSTAMP_DATA_DIR/collectstamp.db"
customer=$(sqlite3 "$db" "SELECT id FROM customers WHERE customer_number = '7700000'")
reference_sql="SELECT t.transaction_id, t.date, cp.code, cc.code, p.code, t.format, t.weight_class,
  t.destination, t.quantity, t.unit_price_millis, t.amount_cents
  FROM transactions t JOIN collection_points cp ON cp.id = t.collection_point_id
  JOIN products p ON p.id = t.product_id LEFT JOIN cost_centres cc ON cc.id = t.cost_centre_id
  WHERE t.customer_id = $customer AND t.date BETWEEN '2026-01-01' AND '2026-12-31'
  ORDER BY t.date, t.id"
url="http://127.0.0.1:$port/api/v1/transactions/export?format=csv&customer_number=7700000&from=2026-01-01&to=2026-12-31"

ours=()
theirs=()
for round in $(seq 1 "$rounds"); do
    o=$(curl -fs -o "$work/ours.csv" -w '%{time_total}' -H "Authorization: Bearer $token" "$url")
    start=$(date +%s.%N)
    sqlite3 -csv -header "$db" "$reference_sql" >"$work/ref.csv"
    t=$(echo "$(date +%s.%N) - $start" | bc)
    echo "round $round: ours ${o}s, sqlite3 -csv ${t}s ($(($(wc -l <"$work/ours.csv") - 1)) and $(($(wc -l <"$work/ref.csv") - 1)) rows, $(stat -c %s "$work/ours.csv") bytes ours)"
    ours+=("$o")
    theirs+=("$t")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
mo=$(median "${ours[@]}")
mt=$(median "${theirs[@]}")
echo "median: ours ${mo}s, sqlite3 -csv ${mt}s, ratio (sqlite3 / ours) $(echo "scale=2; $mt / $mo" | bc)"
echo "server anonymous RSS after: $(grep RssAnon /proc/$server/status | awk '{print $2, $3}')"
