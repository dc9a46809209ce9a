#!/usr/bin/env bash
# gdb_session.sh NVR_VP GDB FIRMWARE_DIR WORKDIR: a real gdb-multiarch batch session against
# nvr-vp running debugee.elf: connect at reset, break at main, next/step, breakpoint in a
# function, finish, read and write variables (set var, set {int}ADDR), a hardware watchpoint, CSRs,
# MMIO reads, monitor commands, continue to the exit. The firmware exits 0 only if the writes
# reached it. Every step has a timeout.
set -u
vp=$1 gdb=$2 fw=$3 work=$4
elf=$fw/debugee.elf
mkdir -p "$work"
rm -f "$work"/session.* "$work"/vp.*

timeout 120 "$vp" --gdb 0 --gdb-wait --uart-out "$work/vp.uart" --stats "$work/vp.stats.json" "$elf" \
  2> "$work/vp.stderr" &
vp_pid=$!
port=
for _ in $(seq 200); do
  port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$work/vp.stderr")
  [ -n "$port" ] && break
  sleep 0.05
done
if [ -z "$port" ]; then
  echo "gdb_session: nvr-vp printed no port:" >&2
  cat "$work/vp.stderr" >&2
  kill "$vp_pid" 2>/dev/null
  exit 1
fi

cat > "$work/session.gdb" <<GDB
set pagination off
set confirm off
set width 0
set remotetimeout 20
target remote 127.0.0.1:$port
printf "at reset pc=%#x\n", \$pc
info registers mstatus
break main
continue
next
step
print x
finish
break square
continue
print x
delete
print answer
set var answer = 7
print answer
set {int}&poked = 0x1234
print/x poked
x/1xw &poked
watch counter
continue
delete
rwatch poked
continue
delete
print/x \$mhartid
print/x \$misa
x/1xb 0x10000005
monitor help
monitor info
continue
GDB

timeout 120 "$gdb" -batch -nx -x "$work/session.gdb" "$elf" > "$work/session.out" 2>&1
gdb_code=$?
wait "$vp_pid"
vp_code=$?
cat "$work/session.out"
echo "--- nvr-vp stderr"
cat "$work/vp.stderr"
echo "--- firmware output"
cat "$work/vp.uart"

status=0
expect() {  # expect REGEX: the session output must match
  if ! grep -Eq -- "$1" "$work/session.out"; then
    echo "gdb_session: missing /$1/" >&2
    status=1
  fi
}
expect "at reset pc=0x80000000"
expect "^mstatus +0x1800"
expect "Breakpoint 1, main \(\) at .*debugee\.c:[0-9]+"
expect "^square \(x=0\) at .*debugee\.c:[0-9]+"
expect "^\\\$1 = 0$"
expect "Value returned is \\\$2 = 0"
expect "Breakpoint 2, square \(x=1\) at .*debugee\.c:[0-9]+"
expect "^\\\$3 = 1$"
expect "^\\\$4 = 42$"
expect "^\\\$5 = 7$"
expect "^\\\$6 = 0x1234$"
expect "<poked>:[[:space:]]+0x00001234"
expect "Hardware watchpoint 3: counter"
expect "Old value = 0"
expect "New value = 14"
expect "Hardware read watchpoint 4: poked"
expect "Value = 4660"
expect "^\\\$7 = 0x0$"
expect "^\\\$8 = 0x40001105$"
expect "^0x10000005:[[:space:]]+0x60"
expect "reset +architectural reset"
expect "pc 0x[0-9a-f]{8}, [0-9]+ instructions"
expect "exited normally"
[ "$gdb_code" -eq 0 ] || { echo "gdb_session: gdb exit code $gdb_code" >&2; status=1; }
[ "$vp_code" -eq 0 ] || { echo "gdb_session: nvr-vp exit code $vp_code (0: the debugger's writes reached the firmware)" >&2; status=1; }
grep -q "total=14 answer=7 poked=0x1234" "$work/vp.uart" || { echo "gdb_session: firmware output wrong" >&2; status=1; }
[ -s "$work/vp.stats.json" ] || { echo "gdb_session: no statistics" >&2; status=1; }
exit $status
