#!/usr/bin/env bash
# differential.sh NVR_VP RUN_QEMU ELF WORKDIR [NVR-VP OPTIONS...]
# Runs one firmware ELF on nvr-vp and on QEMU (the independent reference) and passes when both
# print the same UART bytes and exit with the same code.
set -u
vp=$1 run_qemu=$2 elf=$3 work=$4
shift 4
mkdir -p "$work"
name=$(basename "$elf" .elf)

"$vp" --firmware "$elf" --uart-out "$work/$name.vp.out" --max-time 20s "$@" 2>"$work/$name.vp.err"
vp_code=$?
"$run_qemu" "$elf" "$work/$name.qemu.out"
qemu_code=$?

echo "nvr-vp exit code $vp_code, QEMU exit code $qemu_code"
cat "$work/$name.vp.err"
status=0
if [ "$vp_code" -ne "$qemu_code" ]; then
  echo "differential: exit codes differ (nvr-vp $vp_code, QEMU $qemu_code)" >&2
  status=1
fi
if ! diff -u --label qemu "$work/$name.qemu.out" --label nvr-vp "$work/$name.vp.out"; then
  echo "differential: UART output differs (above: - QEMU, + nvr-vp)" >&2
  status=1
fi
[ "$status" -eq 0 ] && echo "differential: identical output ($(wc -c < "$work/$name.vp.out") bytes) and exit code"
exit "$status"
