#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# check.sh LABEL OUTPUT REFERENCE — compare the golden-vector lines a platform printed with the
# host's, computed in the same run, and with the committed tests/golden/golden.hash.
#   LABEL      who printed OUTPUT (a target or a host compiler), for the messages
#   OUTPUT     a program's console output; its lines starting with "golden " are compared
#   REFERENCE  the host g++ golden lines from this run
# Fails on any difference. The first comparison is the real test (same bits on every platform);
# the second catches a change of the library's arithmetic that nobody meant to make.
set -euo pipefail
label=$1
output=$2
reference=$3
committed="$(cd "$(dirname "$0")" && pwd)/golden.hash"
got=$(grep '^golden ' "$output" || true)
if [ -z "$got" ]; then
    echo "golden: $label printed no golden lines (see $output)" >&2
    exit 1
fi
if ! diff <(grep '^golden ' "$reference") <(echo "$got") >/dev/null; then
    echo "golden: FAIL — $label computes different bits from the host (g++) in:" >&2
    diff <(grep '^golden ' "$reference") <(echo "$got") | sed -n 's/^> golden \([^ ]*\) .*/    \1/p' >&2 || true
    exit 1
fi
if ! diff "$committed" <(echo "$got") >/dev/null; then
    echo "golden: FAIL — every platform agrees, but not with tests/golden/golden.hash; changed cases:" >&2
    diff "$committed" <(echo "$got") | sed -n 's/^> golden \([^ ]*\) .*/    \1/p' >&2 || true
    echo "  If the library's arithmetic changed on purpose, run \`make golden-update\` and commit" >&2
    echo "  tests/golden/golden.hash; otherwise the change altered results it should not have." >&2
    exit 1
fi
echo "golden: $label $(echo "$got" | sed -n 's/^golden total //p'), networks $(echo "$got" | sed -n 's/^golden network-total //p') (same as host g++ and tests/golden/golden.hash)"
