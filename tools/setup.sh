#!/usr/bin/env bash
# Installs every Debian package nvr-vp needs that is not yet installed.
# Idempotent: when everything is present it only checks and returns.
set -euo pipefail

packages=(
  # host build
  build-essential cmake ninja-build ccache pkg-config clang-format
  # models and the main program
  libsystemc-dev libboost-program-options-dev libelf-dev nlohmann-json3-dev
  # tests
  libgtest-dev libgmock-dev qemu-system-misc valgrind gdb-multiarch
  # traces: vcd2fst (gtkwave) parses the VCD, python3 reads it back
  gtkwave python3
  # RTL of the NVR core: verilated models and lint
  verilator
  # performance exploration (issue #9): plots (Debian's python3 + matplotlib, and gnuplot), the
  # cluster path through GNU parallel
  python3-matplotlib gnuplot-nox parallel
  # bare-metal RISC-V firmware
  gcc-riscv64-unknown-elf binutils-riscv64-unknown-elf picolibc-riscv64-unknown-elf
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

echo "setup: installing ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup: not root and no sudo; install: ${missing[*]}" >&2; exit 1; }
  sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -q
"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
