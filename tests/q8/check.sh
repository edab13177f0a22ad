#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# check.sh LABEL OUTPUT — compare the "q8golden" lines a platform printed with tests/q8/golden.hash.
set -euo pipefail
label=$1
output=$2
committed="$(cd "$(dirname "$0")" && pwd)/golden.hash"
got=$(grep '^q8golden ' "$output" || true)
if [ -z "$got" ]; then
    echo "q8-golden: $label printed no q8golden lines (see $output)" >&2
    exit 1
fi
if ! diff "$committed" <(echo "$got") >/dev/null; then
    echo "q8-golden: FAIL — $label differs from tests/q8/golden.hash in:" >&2
    diff "$committed" <(echo "$got") | sed -n 's/^> q8golden \([^ ]*\) .*/    \1/p' >&2 || true
    exit 1
fi
echo "q8-golden: $label $(echo "$got" | sed -n 's/^q8golden total //p') (same as tests/q8/golden.hash)"
