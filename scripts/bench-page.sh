#!/usr/bin/env bash
# The transactions API's first page of a month with its totals, under 16 concurrent
# connections, next to the same server's /healthz in the same run (the goal is a ratio).
#
#   cargo build --release && scripts/bench-page.sh [ROWS] [CUSTOMERS]
#
# Defaults: 10,000,000 transactions of 1,000 customers. The data directory is kept in
# BENCH_DIR (default target/bench-page-ROWS) and reused by the next run. Needs wrk and curl.
set -euo pipefail

rows=${1:-10000000}
customers=${2:-1000}
bin=${BENCH_BIN:-target/release/collectstamp}
port=${BENCH_PORT:-8091}
seconds=${BENCH_SECONDS:-20}
dir=${BENCH_DIR:-target/bench-page-$rows}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

export COLLECTSTAMP_DATA_DIR="$dir/data"
export COLLECTSTAMP_BIND="127.0.0.1:$port"
export COLLECTSTAMP_PUBLIC_URL="http://127.0.0.1:$port"

if [ ! -f "$dir/ready" ]; then
    echo "generating and importing $rows rows of $customers customers (once)"
    rm -rf "$dir/data" "$dir/feeds"
    "$bin" bench import --rows "$rows" --customers "$customers" --rounds 0 --dir "$dir/feeds" >/dev/null
    "$bin" migrate >/dev/null 2>&1
    "$bin" demo >/dev/null 2>&1
    for kind in customers cost-centres collection-points products transactions; do
        "$bin" import --update "$kind" "$dir/feeds/files/$kind.csv" >/dev/null 2>&1
    done
    rm -rf "$dir/feeds"
    touch "$dir/ready"
fi

"$bin" serve >"$dir/serve.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
    sleep 0.1
done
token=$(curl -fs -X POST -H 'Content-Type: application/json' \
    -d '{"username":"operator","password":"operator-demo-2026"}' \
    "http://127.0.0.1:$port/api/v1/auth/token" | sed -E 's/.*"token":"([^"]+)".*/\1/')
page="http://127.0.0.1:$port/api/v1/transactions?customer_number=7700001"
curl -fs -o /dev/null -H "Authorization: Bearer $token" "$page" # warm the page cache

p99() { awk '$1 == "99%" {print $2}'; }
run() { wrk -t2 -c16 -d"${seconds}s" --latency -H "Authorization: Bearer $token" "$1"; }

# The server's CPU time (user + system, in clock ticks) from /proc: what a request costs,
# whatever else the machine is doing.
ticks() { awk '{print $14 + $15}' "/proc/$server/stat"; }
h0=$(ticks)
health=$(run "http://127.0.0.1:$port/healthz")
h1=$(ticks)
before=$(ticks)
listing=$(run "$page")
after=$(ticks)
echo "$listing" | grep -E "Latency|Req/Sec|requests in|50%|90%|99%"
hp=$(echo "$health" | p99)
lp=$(echo "$listing" | p99)
echo "healthz p99 $hp, transactions page p99 $lp"
to_ms() { echo "$1" | awk '/us$/ {sub("us","");print $1/1000; next} /ms$/ {sub("ms","");print $1; next} /s$/ {sub("s","");print $1*1000}'; }
echo "ratio (page / healthz): $(echo "scale=1; $(to_ms "$lp") / $(to_ms "$hp")" | bc)"
ps -o rss=,time= -p "$server" | awk '{print "server RSS " $1 " kB, CPU time " $2}'
requests=$(echo "$listing" | awk '/requests in/ {print $1}')
hz=$(getconf CLK_TCK)
health_requests=$(echo "$health" | awk '/requests in/ {print $1}')
echo "server CPU per /healthz request: $(echo "scale=3; ($h1 - $h0) * 1000 / $hz / $health_requests" | bc) ms ($health_requests requests)"
echo "server CPU per page request: $(echo "scale=3; ($after - $before) * 1000 / $hz / $requests" | bc) ms ($requests requests)"
