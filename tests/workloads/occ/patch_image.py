#!/usr/bin/env python3
"""patch_image.py IN OUT SECTION (--flip BYTE | --word INDEX VALUE): a damaged copy of a workload
image (firmware/include/workload_image.h) for the error-path tests.

--flip BYTE         inverts byte BYTE of SECTION and leaves the header's CRC stale (a corrupted
                    image, which every reader must refuse);
--word INDEX VALUE  sets little-endian 32-bit word INDEX of SECTION to VALUE and recomputes the
                    CRC, so the image passes the platform's checks and only the firmware's own
                    checks of its contents can catch it."""
import struct
import sys
import zlib

HEADER, ENTRY = 64, 48


def main(argv):
    if len(argv) < 6 or argv[4] not in ("--flip", "--word") or len(argv) != (6 if argv[4] == "--flip" else 7):
        sys.exit(__doc__)
    data = bytearray(open(argv[1], "rb").read())
    count = struct.unpack_from("<I", data, 12)[0]
    for i in range(count):
        at = HEADER + i * ENTRY
        name = data[at:at + 32].split(b"\0")[0].decode()
        offset, size = struct.unpack_from("<II", data, at + 32)
        if name == argv[3]:
            break
    else:
        sys.exit("patch_image.py: no section '%s'" % argv[3])
    if argv[4] == "--flip":
        byte = int(argv[5])
        if byte >= size:
            sys.exit("patch_image.py: section '%s' has %d bytes" % (argv[3], size))
        data[offset + byte] ^= 0xFF
    else:
        index, value = int(argv[5]), int(argv[6])
        if 4 * index + 4 > size:
            sys.exit("patch_image.py: section '%s' has %d bytes" % (argv[3], size))
        struct.pack_into("<I", data, offset + 4 * index, value & 0xFFFFFFFF)
        struct.pack_into("<I", data, 16, zlib.crc32(bytes(data[HEADER:])) & 0xFFFFFFFF)
    open(argv[2], "wb").write(data)


if __name__ == "__main__":
    main(sys.argv)
