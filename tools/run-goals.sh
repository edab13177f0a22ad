#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# run-goals.sh NAME GOAL... — run each make goal in its own `make`, one after another, and print
# how long each took, the slowest first, then "goals: N passed, N failed".
#
# Every goal runs even when an earlier one fails, so one run shows every failure; the exit status
# is 1 if any failed. MAKE (the calling make, with its flags) runs each goal; RUN_GOALS_JOBS (default:
# the number of cores) is the -j each goal's make gets, so a goal's independent builds share the
# cores. A goal's output is printed as it runs.
#
# RUN_GOALS_BACKGROUND names goals that mostly run one process at a time (static analysis,
# fuzzing): they run one after another in a second lane, -j1, beside the others, so that a core
# the main lane leaves idle (a test program running, Python) does their work. Their output is
# kept in build/goals/GOAL.log and printed when the main lane ends. They must build nothing the
# main lane's goals build.
set -u
name=$1; shift
make=${MAKE:-make}
jobs=${RUN_GOALS_JOBS:-$(nproc 2>/dev/null || echo 2)}
background=" ${RUN_GOALS_BACKGROUND:-} "
logs=build/goals
mkdir -p "$logs"
passed=(); failed=(); times=()
start_all=$(date +%s)

# The second lane: each goal's verdict and time go to $logs/GOAL.result.
lane=()
for goal in "$@"; do case "$background" in *" $goal "*) lane+=("$goal");; esac; done
if [ ${#lane[@]} -gt 0 ]; then
    (
        for goal in "${lane[@]}"; do
            start=$(date +%s)
            if $make --no-print-directory -j1 "$goal" > "$logs/$goal.log" 2>&1; then verdict=passed
            else verdict=FAILED; fi
            echo "$(( $(date +%s) - start )) $goal $verdict" > "$logs/$goal.result"
        done
    ) &
    lane_pid=$!
    echo "==== $name: ${lane[*]} in a second lane (-j1; output in $logs/)"
fi

for goal in "$@"; do
    case "$background" in *" $goal "*) continue;; esac
    echo "==== $name: $goal"
    start=$(date +%s)
    if $make --no-print-directory -j"$jobs" "$goal"; then passed+=("$goal"); verdict=passed
    else failed+=("$goal"); verdict=FAILED; fi
    times+=("$(( $(date +%s) - start )) $goal $verdict")
done

if [ ${#lane[@]} -gt 0 ]; then
    wait "$lane_pid"
    for goal in "${lane[@]}"; do
        echo "==== $name: $goal (second lane)"
        cat "$logs/$goal.log" 2>/dev/null
        result=$(cat "$logs/$goal.result" 2>/dev/null || echo "0 $goal FAILED")
        times+=("$result")
        case "$result" in *" passed") passed+=("$goal");; *) failed+=("$goal");; esac
    done
fi

total=$(( $(date +%s) - start_all ))
echo
echo "==== $name: time per goal (seconds, slowest first; $total s in all, -j$jobs)"
printf '%s\n' "${times[@]}" | sort -rn | awk '{ printf "  %6d  %-28s %s\n", $1, $2, $3 }'
[ ${#failed[@]} -eq 0 ] || echo "$name: FAILED: ${failed[*]}"
echo "goals: ${#passed[@]} passed, ${#failed[@]} failed"
[ ${#failed[@]} -eq 0 ]
