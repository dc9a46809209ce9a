#!/usr/bin/env bash
# port_in_use.sh NVR_VP FIRMWARE WORKDIR: a --gdb port another process listens on is a clear
# error (exit code 64), not a crash or a hang.
set -u
vp=$1 elf=$2 work=$3
mkdir -p "$work"
timeout 60 "$vp" --gdb 0 --gdb-wait "$elf" 2> "$work/first.stderr" &
first=$!
port=
for _ in $(seq 200); do
  port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$work/first.stderr")
  [ -n "$port" ] && break
  sleep 0.05
done
[ -n "$port" ] || { echo "port_in_use: no port" >&2; kill "$first"; exit 1; }
timeout 60 "$(dirname "$0")/../platform/expect-exit.sh" 64 "gdb: cannot listen on 127.0.0.1:$port" \
  "$vp" --gdb "$port" "$elf"
status=$?
kill -INT "$first"
wait "$first"
exit $status
