#!/usr/bin/env python3
"""tamper_image.py IN OUT SECTION OFFSET [--fix-crc]: copies a workload image (firmware/include/
workload_image.h) and flips the low bit of byte OFFSET of section SECTION; with --fix-crc the header's
CRC-32 is recomputed, so that only the firmware's own checks can find the change."""
import struct
import sys
import zlib


def main(argv):
    if len(argv) not in (5, 6) or (len(argv) == 6 and argv[5] != "--fix-crc"):
        sys.exit(__doc__)
    data = bytearray(open(argv[1], "rb").read())
    count = struct.unpack_from("<I", data, 12)[0]
    for i in range(count):
        entry = 64 + 48 * i
        name = data[entry:entry + 32].split(b"\0")[0].decode()
        offset, size = struct.unpack_from("<II", data, entry + 32)
        if name == argv[3]:
            at = int(argv[4], 0)
            if at >= size:
                sys.exit(f"tamper_image: section {name} has {size} bytes")
            data[offset + at] ^= 1
            break
    else:
        sys.exit(f"tamper_image: no section {argv[3]}")
    if len(argv) == 6:
        struct.pack_into("<I", data, 16, zlib.crc32(bytes(data[64:])) & 0xFFFFFFFF)
    open(argv[2], "wb").write(data)


if __name__ == "__main__":
    main(sys.argv)
