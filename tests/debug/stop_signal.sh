#!/usr/bin/env bash
# stop_signal.sh NVR_VP STATS_CHECK FIRMWARE WORKDIR SIGNAL EXPECTED_CODE: runs a firmware that
# never ends, sends SIGNAL after a second, and checks that nvr-vp stops cleanly: the expected exit
# code, a message, and a statistics file that parses and holds the CPU's counters.
set -u
vp=$1 check=$2 elf=$3 work=$4 signal=$5 expected=$6
mkdir -p "$work"
stats=$work/stop-$signal.json
rm -f "$stats"
timeout -s KILL 60 "$vp" --stats "$stats" --uart-out "$work/stop-$signal.uart" "$elf" 2> "$work/stop-$signal.stderr" &
pid=$!
sleep 1
kill -s "$signal" "$pid"
wait "$pid"
code=$?
cat "$work/stop-$signal.stderr"
[ "$code" -eq "$expected" ] || { echo "stop_signal: exit code $code, expected $expected" >&2; exit 1; }
grep -Eq "interrupted|stopped by SIG" "$work/stop-$signal.stderr" || { echo "stop_signal: no message" >&2; exit 1; }
"$check" has "$stats" "run.exit_code=$expected" soc.cpu.instructions run.simulated_time_ps
