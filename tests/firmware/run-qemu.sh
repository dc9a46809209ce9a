#!/usr/bin/env bash
# run-qemu.sh ELF OUTPUT [TIMEOUT_SECONDS]
# Runs one firmware ELF on QEMU's `virt` machine (the independent reference for the differential
# tests), writes exactly the bytes the firmware sent to UART 0 into OUTPUT, and exits with QEMU's
# exit code, which is the firmware's (the SiFive test device: 0x5555 -> 0, (code << 16) | 0x3333
# -> code). A run that takes longer than TIMEOUT_SECONDS (default 60) exits with 124.
set -u
if [ $# -lt 2 ] || [ $# -gt 3 ]; then
  echo "usage: $0 ELF OUTPUT [TIMEOUT_SECONDS]" >&2
  exit 64
fi
elf=$1 out=$2 limit=${3:-60}
qemu=${NVR_QEMU_RISCV32:-qemu-system-riscv32}
if [ ! -r "$elf" ]; then
  echo "run-qemu: cannot read $elf" >&2
  exit 66
fi
mkdir -p "$(dirname "$out")"

# -display none -monitor none -serial stdio: the UART is the only thing on stdout (no monitor, no
# multiplexing as with -nographic); standard input is /dev/null so QEMU never touches a terminal.
timeout "$limit" "$qemu" -machine virt -bios none -m 256M -smp 1 -display none -monitor none \
  -serial stdio -kernel "$elf" </dev/null >"$out"
code=$?
if [ "$code" -eq 124 ]; then
  echo "run-qemu: $elf did not exit within ${limit} s" >&2
fi
exit "$code"
