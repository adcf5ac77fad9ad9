#!/usr/bin/env bash
# Coverage-guided fuzzing of the parsers (fuzz/, cargo-fuzz with libFuzzer and AddressSanitizer
# on the stable toolchain through RUSTC_BOOTSTRAP=1; fuzz/README.md says why). Runs each target
# for SECONDS (default 20) from the seeds in fuzz/corpus/ and fails on the first crash.
#
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]   (targets: see TARGETS below)
# A crash leaves its input in fuzz/artifacts/TARGET/; replay it with
#   RUSTC_BOOTSTRAP=1 cargo fuzz run TARGET fuzz/artifacts/TARGET/crash-…   (from fuzz/)
set -euo pipefail
cd "$(dirname "$0")/../fuzz"

TARGETS=(feed_row barcode vat_number money next_param date_param)
seconds="${1:-20}"
shift || true
[ $# -gt 0 ] && TARGETS=("$@")
cache_home="${XDG_CACHE_HOME:-${HOME:-/var/tmp}/.cache}"
target_dir="${CARGO_TARGET_DIR:-$cache_home/collectstamp/target}/fuzz"
command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked
export RUSTC_BOOTSTRAP=1

cargo fuzz build --target-dir "$target_dir"
for t in "${TARGETS[@]}"; do
  # New inputs go to a scratch folder; the committed seeds are only read.
  work="$(mktemp -d)"
  started=$SECONDS
  if ! cargo fuzz run --target-dir "$target_dir" "$t" "$work" "corpus/$t" -- \
    -max_total_time="$seconds" -print_final_stats=1 >"$work.log" 2>&1; then
    tail -n 40 "$work.log" >&2
    echo "fuzzing: $t crashed (input in fuzz/artifacts/$t/)" >&2
    exit 1
  fi
  echo "fuzz $t: $(grep -m1 '^Done' "$work.log" || echo done) ($((SECONDS - started))s)"
  rm -rf "$work" "$work.log"
done
echo "fuzzing: no crash"
