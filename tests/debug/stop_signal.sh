#!/usr/bin/env bash
# stop_signal.sh NVR_VP STATS_CHECK FIRMWARE WORKDIR SIGNAL EXPECTED_CODE [NVR_VP_OPTIONS...]:
# runs a firmware that never ends, sends SIGNAL after a second, and checks that nvr-vp stops
# cleanly: the expected exit code, a message, and a statistics file that parses and holds the
# CPU's counters. Extra options go to nvr-vp (e.g. --gdb 0 --gdb-wait: a signal while waiting).
set -u
vp=$1 check=$2 elf=$3 work=$4 signal=$5 expected=$6
shift 6
mkdir -p "$work"
name=$signal${1:+-waiting}
stats=$work/stop-$name.json
rm -f "$stats" "$work/stop-$name.uart" "$work/stop-$name.stderr"
# --foreground: timeout passes the signal to nvr-vp once; without it, timeout also signals its
# whole process group, and nvr-vp, seeing a second signal, would end at once (by design).
timeout --foreground -s KILL 60 "$vp" --stats "$stats" --uart-out "$work/stop-$name.uart" "$@" "$elf" 2> "$work/stop-$name.stderr" &
pid=$!
# Signal only once nvr-vp runs (its handlers are installed before the firmware starts): the
# firmware printed, or the stub listens. A fixed sleep raced with slow starts (sanitizers, load).
for _ in $(seq 300); do
  grep -q spinning "$work/stop-$name.uart" 2>/dev/null && break
  grep -q "gdb: listening" "$work/stop-$name.stderr" 2>/dev/null && break
  sleep 0.1
done
sleep 0.2
kill -s "$signal" "$pid"
wait "$pid"
code=$?
cat "$work/stop-$name.stderr"
[ "$code" -eq "$expected" ] || { echo "stop_signal: exit code $code, expected $expected" >&2; exit 1; }
grep -Eq "interrupted|stopped by SIG" "$work/stop-$name.stderr" || { echo "stop_signal: no message" >&2; exit 1; }
"$check" has "$stats" "run.exit_code=$expected" soc.cpu.instructions run.simulated_time_ps
