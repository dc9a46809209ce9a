#!/usr/bin/env python3
"""The filtered instruction trace (--trace-range, --trace-window) is exactly the lines of the full
trace of the same run whose pc lies in [START, END) and whose time lies in [T0, T1)."""
import sys


def lines(path):
    with open(path) as f:
        return [line.rstrip("\n") for line in f if not line.startswith("#")]


def main():
    full_path, filtered_path, start, end, t0, t1 = sys.argv[1:7]
    start, end, t0, t1 = int(start, 0), int(end, 0), int(t0), int(t1)
    expected = [l for l in lines(full_path)
                if start <= int(l.split()[1], 16) < end and t0 <= int(l.split()[0]) < t1]
    got = lines(filtered_path)
    if not expected:
        sys.exit("the filter selects nothing: the test would prove nothing")
    if got != expected:
        sys.exit(f"filtered trace differs: {len(got)} lines, expected {len(expected)}")
    print(f"{len(got)} lines, as selected from the full trace")


if __name__ == "__main__":
    main()
