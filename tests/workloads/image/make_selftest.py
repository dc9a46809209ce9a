#!/usr/bin/env python3
"""Inputs of the `selftest` workload image (firmware/tests/workload_image): A = the 16x16
identity, B = seeded bytes in -128..127, golden = B (A * B with the identity requantisation), and
the damaged copies the error tests need. Usage: make_selftest.py NVR_WIMG OUT_DIR FIRMWARE_ELF"""
import os
import random
import shutil
import subprocess
import sys

wimg, out, elf = sys.argv[1:4]
os.makedirs(out, exist_ok=True)
n = 16
a = bytes(1 if r == c else 0 for r in range(n) for c in range(n))
rng = random.Random(7)
b = bytes(rng.randrange(256) for _ in range(n * n))
for name, data in (("a", a), ("b", b), ("golden", b)):
    with open(os.path.join(out, name + ".bin"), "wb") as f:
        f.write(data)
sections = [f"{s}={os.path.join(out, s + '.bin')}" for s in ("a", "b", "golden")]
image = os.path.join(out, "selftest.img")
subprocess.run([wimg, "pack", "--workload", "selftest", "--variant", "identity", "--seed", "7", "-o", image]
               + sections, check=True)
subprocess.run([wimg, "pack", "--workload", "other", "-o", os.path.join(out, "other.img")] + sections, check=True)
# golden != A * B: the firmware must say FAIL.
with open(os.path.join(out, "wrong.bin"), "wb") as f:
    f.write(bytes((x + 1) & 0xFF for x in b))
subprocess.run([wimg, "pack", "--workload", "selftest", "-o", os.path.join(out, "wrong.img"),
                sections[0], sections[1], "golden=" + os.path.join(out, "wrong.bin")], check=True)
data = open(image, "rb").read()
with open(os.path.join(out, "truncated.img"), "wb") as f:
    f.write(data[: len(data) - 100])
corrupted = bytearray(data)
corrupted[len(data) - 300] ^= 0x10  # inside section b
with open(os.path.join(out, "corrupted.img"), "wb") as f:
    f.write(corrupted)
# The folder --workload-dir points at: NAME.elf beside NAME.img.
shutil.copyfile(elf, os.path.join(out, "selftest.elf"))
