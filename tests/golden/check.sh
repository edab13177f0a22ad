#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# check.sh LABEL OUTPUT REFERENCE — compare the golden-vector lines a platform printed with the
# host's, computed in the same run, and with the committed tests/golden/golden.hash.
#   LABEL      who printed OUTPUT (a target or a host compiler), for the messages
#   OUTPUT     a program's console output; its lines starting with "golden " are compared
#   REFERENCE  the host g++ golden lines from this run
# Fails on any difference. The first comparison is the real test (same bits on every platform);
# the second catches a change of the library's arithmetic that nobody meant to make.
#   seed       (optional) compare only the seed network's lines, up to `golden total`: a board too
#              small for the Network cases (golden_vectors.cpp, UGRAD_GOLDEN_NETWORKS=0)
set -euo pipefail
label=$1
output=$2
reference=$3
mode=${4:-all}
committed_file="$(cd "$(dirname "$0")" && pwd)/golden.hash"
# The lines compared: all of them, or those up to and including `golden total`.
lines() { if [ "$mode" = seed ]; then sed -n '1,/^golden total /p'; else cat; fi; }
committed=$(mktemp)
trap 'rm -f "$committed"' EXIT
grep '^golden ' "$committed_file" | lines > "$committed"
got=$(grep '^golden ' "$output" | lines || true)
if [ -z "$got" ]; then
    echo "golden: $label printed no golden lines (see $output)" >&2
    exit 1
fi
if ! diff <(grep '^golden ' "$reference" | lines) <(echo "$got") >/dev/null; then
    echo "golden: FAIL — $label computes different bits from the host (g++) in:" >&2
    diff <(grep '^golden ' "$reference" | lines) <(echo "$got") | sed -n 's/^> golden \([^ ]*\) .*/    \1/p' >&2 || true
    exit 1
fi
if ! diff "$committed" <(echo "$got") >/dev/null; then
    echo "golden: FAIL — every platform agrees, but not with tests/golden/golden.hash; changed cases:" >&2
    diff "$committed" <(echo "$got") | sed -n 's/^> golden \([^ ]*\) .*/    \1/p' >&2 || true
    echo "  If the library's arithmetic changed on purpose, run \`make golden-update\` and commit" >&2
    echo "  tests/golden/golden.hash; otherwise the change altered results it should not have." >&2
    exit 1
fi
if [ "$mode" = seed ]; then
    echo "golden: $label $(echo "$got" | sed -n 's/^golden total //p') (the seed network's cases only; same as host g++ and tests/golden/golden.hash)"
else
    echo "golden: $label $(echo "$got" | sed -n 's/^golden total //p'), networks $(echo "$got" | sed -n 's/^golden network-total //p') (same as host g++ and tests/golden/golden.hash)"
fi
