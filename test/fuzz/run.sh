#!/bin/sh
# Runs every libFuzzer harness of a build folder for a bounded time, one after
# the other, on a copy of its committed corpus; prints one line of figures per
# harness and fails on the first crash, leak, timeout or out-of-memory.
# Usage: test/fuzz/run.sh BUILD_DIR SECONDS
set -eu
build=${1:?build folder}
seconds=${2:?seconds per harness}
here=$(cd "$(dirname "$0")" && pwd)
summary=""
for bin in "$build"/bin/*_fuzzer; do
  name=$(basename "$bin" _fuzzer)
  # New inputs go to the work corpus, never into the committed seeds.
  work="$build/fuzz/corpus/$name"
  crashes="$build/fuzz/crashes/$name"
  log="$build/fuzz/$name.log"
  mkdir -p "$work" "$crashes"
  echo "== $name: ${seconds}s (log: $log)"
  status=0
  "$bin" -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$crashes/" "$work" "$here/corpus/$name" >"$log" 2>&1 || status=$?
  # libFuzzer's last status line: "#N DONE cov: C ft: F corp: ..." (or the
  # last progress line when it stopped early).
  last=$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  cov=$(echo "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
  line=$(printf '%-14s executions %-9s exec/s %-7s cov %-6s' "$name" "${execs:-?}" "${rate:-?}" "${cov:-?}")
  echo "$line"
  echo "   $last"
  if [ "$status" -ne 0 ]; then
    tail -n 60 "$log"
    echo "FAIL: $name exited $status; the input is in $crashes/" >&2
    exit 1
  fi
  summary="$summary$line
"
done
[ -n "$summary" ] || { echo "no harness in $build/bin" >&2; exit 1; }
echo "== fuzzing summary (${seconds}s each)"
printf '%s' "$summary"
