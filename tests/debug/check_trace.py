#!/usr/bin/env python3
"""Checks an instruction trace (nvr-vp --trace-insn) of a whole firmware run.

usage: check_trace.py TRACE STATS_JSON OBJDUMP ELF

- every line has the documented format; times never decrease;
- the first instruction is the ELF's entry point at time 0;
- one line per retired instruction (plus one per exception): as many as the statistics count;
- at every pc the text is objdump's (the same normalisation as compare_objdump.py);
- written values agree with the instruction where they are easy to know: li, lui, auipc, jal.
"""
import json
import re
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from compare_objdump import objdump_instructions  # noqa: E402

LINE = re.compile(r"^(\d+) 0x([0-9a-f]{8}) ([0-9a-f]{4}|[0-9a-f]{8}) (.+?)(?: -> (.*))?$")
failures = []


def fail(message):
    if len(failures) < 30:
        print("FAIL " + message)
    failures.append(message)


def main():
    trace_path, stats_path, objdump, elf = sys.argv[1:5]
    stats = json.load(open(stats_path))
    cpu = stats["soc"]["cpu"]
    expected_lines = cpu["instructions"] + cpu["exceptions"]
    reference = {pc: text for pc, _, text in objdump_instructions(objdump, elf)}
    header = subprocess.run([objdump, "-f", elf], check=True, capture_output=True, text=True).stdout
    entry = int(re.search(r"start address 0x([0-9a-f]+)", header).group(1), 16)

    lines = 0
    last_time = -1
    with open(trace_path) as trace:
        for number, line in enumerate(trace, 1):
            line = line.rstrip("\n")
            if line.startswith("#"):
                continue
            match = LINE.match(line)
            if not match:
                fail("line %d: bad format: %r" % (number, line))
                continue
            lines += 1
            time, pc, word, text, written = int(match.group(1)), int(match.group(2), 16), match.group(3), match.group(4), match.group(5)
            if lines == 1 and (pc != entry or time != 0):
                fail("first instruction at %#x, time %d; expected the entry %#x at 0" % (pc, time, entry))
            if time < last_time:
                fail("line %d: time goes back (%d after %d)" % (number, time, last_time))
            last_time = time
            if pc in reference and reference[pc] != text:
                fail("line %d: %#x '%s', objdump '%s'" % (number, pc, text, reference[pc]))
            values = dict(item.split("=") for item in written.split()) if written and written != "exception" else {}
            op = text.split(" ", 1)
            operands = op[1].split(",") if len(op) > 1 else []
            expect = None
            if op[0] == "li":
                expect = int(operands[1], 0) & 0xFFFFFFFF
            elif op[0] == "lui":
                expect = (int(operands[1], 0) << 12) & 0xFFFFFFFF
            elif op[0] == "auipc":
                expect = (pc + (int(operands[1], 0) << 12)) & 0xFFFFFFFF
            elif op[0] == "jal" and len(operands) == 1:
                expect = pc + len(word) // 2
                operands = ["ra"] + operands
            if expect is not None and operands[0] != "zero":
                got = values.get(operands[0])
                if got is None or int(got, 16) != expect:
                    fail("line %d: %r: expected %s=%#x" % (number, line, operands[0], expect))
    if lines != expected_lines:
        fail("%d trace lines, the statistics count %d instructions + exceptions" % (lines, expected_lines))
    print("%d lines checked, %d problems" % (lines, len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
