#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tests/fuzz/run.sh BUILD_DIR TARGET SECONDS CORPUS_DIR [TABLE] — run one libFuzzer target for
# SECONDS, growing CORPUS_DIR from itself and the committed seeds tests/fuzz/corpus/TARGET/ (for
# TARGET_simd, those of TARGET). Prints
# the final status line (executions, coverage, features, corpus size) and the number of
# executions, and appends them as a Markdown row to TABLE if given; on a finding prints the
# report's tail and where the input was saved, and fails.
set -euo pipefail
build=$1 target=$2 seconds=$3 corpus=$4 table=${5:-}
seeds=tests/fuzz/corpus/${target%_simd}  # a _simd variant shares its target's seeds
log=$build/$target.log
mkdir -p "$corpus" "$build/artifacts"
echo "== fuzz $target: $seconds s"
# One input takes microseconds: -timeout catches a hang, -rss_limit_mb a leak.
if ! "$build/fuzz_$target" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -max_total_time="$seconds" \
        -artifact_prefix="$build/artifacts/$target-" "$corpus" "$seeds" >"$log" 2>&1; then
    tail -n 40 "$log"
    echo "fuzz $target: FOUND SOMETHING; the input is in $build/artifacts/ (rerun: $build/fuzz_$target <file>)"
    exit 1
fi
grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
echo "fuzz $target: $runs executions in $seconds s, nothing found"
if [ -n "$table" ]; then
    done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1)
    cov=$(sed -E 's/.* cov: ([0-9]+).*/\1/' <<<"$done_line")
    ft=$(sed -E 's/.* ft: ([0-9]+).*/\1/' <<<"$done_line")
    corp=$(sed -E 's/.* corp: ([0-9]+)\/.*/\1/' <<<"$done_line")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    printf '| `%s` | %s s | %s | %s | %s | %s | %s | none |\n' "$target" "$seconds" "$runs" "$rate" "$cov" "$ft" "$corp" >>"$table"
fi
