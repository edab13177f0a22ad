#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# run-goals.sh NAME GOAL... — run each make goal in its own `make`, one after another, and print
# how long each took, the slowest first, then "goals: N passed, N failed".
#
# Every goal runs even when an earlier one fails, so one run shows every failure; the exit status
# is 1 if any failed. MAKE (the calling make, with its flags) runs each goal; RUN_GOALS_JOBS (default:
# the number of cores) is the -j each goal's make gets, so a goal's independent builds share the
# cores. A goal's output is printed as it runs.
set -u
name=$1; shift
make=${MAKE:-make}
jobs=${RUN_GOALS_JOBS:-$(nproc 2>/dev/null || echo 2)}
passed=(); failed=(); times=()
start_all=$(date +%s)
for goal in "$@"; do
    echo "==== $name: $goal"
    start=$(date +%s)
    if $make --no-print-directory -j"$jobs" "$goal"; then passed+=("$goal"); verdict=passed
    else failed+=("$goal"); verdict=FAILED; fi
    times+=("$(( $(date +%s) - start )) $goal $verdict")
done
total=$(( $(date +%s) - start_all ))
echo
echo "==== $name: time per goal (seconds, slowest first; $total s in all, -j$jobs)"
printf '%s\n' "${times[@]}" | sort -rn | awk '{ printf "  %6d  %-28s %s\n", $1, $2, $3 }'
[ ${#failed[@]} -eq 0 ] || echo "$name: FAILED: ${failed[*]}"
echo "goals: ${#passed[@]} passed, ${#failed[@]} failed"
[ ${#failed[@]} -eq 0 ]
