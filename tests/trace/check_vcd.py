#!/usr/bin/env python3
"""Reads back a VCD written by nvr-vp (with its own small VCD reader, independent of the writer)
and checks it against the run's bus trace and UART output:

- soc.irq_timer has exactly the edges a CLINT must produce: the firmware's writes to mtimecmp
  (taken from the bus trace, at their simulated times) define mtimecmp over time, mtime counts at
  --clint-hz from time zero, and the line is high exactly while mtime >= mtimecmp;
- every timer interrupt the CPU took (soc.cpu.interrupt pulse, mcause 0x80000007) happened while
  the line was high;
- soc.uart0.tx pulses once per byte the UART printed, and soc.uart0.tx_data holds that byte.

Usage: check_vcd.py VCD BUS_TRACE UART_OUTPUT [--clint-hz HZ] [--clint-base ADDR]
Exit code 0 when every check passes; each failure is printed."""
import argparse
import sys

UNITS_PS = {"s": 10**12, "ms": 10**9, "us": 10**6, "ns": 10**3, "ps": 1, "fs": 10**-3}


def read_vcd(path):
    """Returns (picoseconds per time unit, end time, {full name: (width, [(time, value)])})."""
    with open(path) as f:
        tokens = f.read().split()
    scale, scopes, codes, signals = None, [], {}, {}
    i = 0
    while i < len(tokens):
        t = tokens[i]
        if t == "$timescale":
            j = tokens.index("$end", i)
            text = "".join(tokens[i + 1:j])
            number = "".join(c for c in text if c.isdigit())
            scale = int(number) * UNITS_PS[text[len(number):]]
            i = j + 1
        elif t == "$scope":
            scopes.append(tokens[i + 2])
            i = tokens.index("$end", i) + 1
        elif t == "$upscope":
            scopes.pop()
            i += 2
        elif t == "$var":
            width, code, name = int(tokens[i + 2]), tokens[i + 3], tokens[i + 4]
            full = ".".join(scopes + [name])
            if full in signals:
                raise ValueError("signal declared twice: " + full)
            signals[full] = (width, [])
            codes.setdefault(code, []).append(full)
            i = tokens.index("$end", i) + 1
        elif t == "$enddefinitions":
            i += 2
            break
        elif t.startswith("$"):
            i = tokens.index("$end", i) + 1
        else:
            raise ValueError("unexpected token in the header: " + t)
    if scale is None:
        raise ValueError("no $timescale")
    time, last = 0, -1
    while i < len(tokens):
        t = tokens[i]
        i += 1
        if t in ("$dumpvars", "$end", "$dumpall", "$dumpon", "$dumpoff"):
            continue
        if t.startswith("#"):
            time = int(t[1:])
            if time < last:
                raise ValueError("time goes backwards at #%d" % time)
            last = time
            continue
        if t[0] in "bB":
            value, code = int(t[1:], 2), tokens[i]
            i += 1
        elif t[0] in "01":
            value, code = int(t[0]), t[1:]
        else:
            raise ValueError("unsupported value change: " + t)
        if code not in codes:
            raise ValueError("undeclared identifier: " + code)
        for name in codes[code]:
            signals[name][1].append((time, value))
    return scale, time, signals


def edges(changes):
    """[(time, value)] -> [(time, value)] of real changes after the initial value."""
    result, current = [], None
    for time, value in changes:
        if current is not None and value != current:
            result.append((time, value))
        current = value
    return result


def value_at(changes, time):
    value = None
    for t, v in changes:
        if t > time:
            break
        value = v
    return value


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("vcd")
    parser.add_argument("bus")
    parser.add_argument("uart")
    parser.add_argument("--clint-hz", type=int, default=10_000_000)
    parser.add_argument("--clint-base", type=lambda s: int(s, 0), default=0x02000000)
    args = parser.parse_args()
    failures = []

    scale, end, signals = read_vcd(args.vcd)
    for name in ("soc.irq_timer", "soc.cpu.interrupt", "soc.cpu.mcause", "soc.uart0.tx", "soc.uart0.tx_data"):
        if name not in signals:
            print("check_vcd: %s is not in the VCD" % name)
            return 1
    ps = lambda units: units * scale  # noqa: E731

    # mtimecmp over time, from the CPU's writes in the bus trace (debug writes have no effect).
    lo_address, hi_address = args.clint_base + 0x4000, args.clint_base + 0x4004
    writes = []  # (time in ps, mtimecmp after the write)
    mtimecmp = (1 << 64) - 1
    with open(args.bus) as f:
        for line in f:
            if line.startswith("#"):
                continue
            time, initiator, command, address, size, data, response = line.split()
            address = int(address, 16)
            if command != "write" or response != "ok" or not lo_address <= address < hi_address + 4:
                continue
            value = int(data, 16)
            if int(size) == 8 and address == lo_address:
                mtimecmp = value
            elif int(size) == 4 and address == lo_address:
                mtimecmp = (mtimecmp & ~0xFFFFFFFF) | value
            elif int(size) == 4 and address == hi_address:
                mtimecmp = (mtimecmp & 0xFFFFFFFF) | (value << 32)
            else:
                failures.append("unexpected mtimecmp write: " + line.strip())
            writes.append((int(time), mtimecmp))
    if not writes:
        failures.append("no mtimecmp write in the bus trace")

    # The edges of mtime >= mtimecmp, mtime = floor(t * hz / 1 s).
    period_num = 10**12  # mtime reaches k at ceil(k * 10^12 / hz) ps
    mtime = lambda t: t * args.clint_hz // period_num  # noqa: E731
    reaches = lambda k: -(-k * period_num // args.clint_hz)  # noqa: E731
    expected, level = [], 0
    end_ps = ps(end)
    for n, (start, compare) in enumerate(writes):
        stop = writes[n + 1][0] if n + 1 < len(writes) else end_ps
        now = 1 if mtime(start) >= compare else 0
        if now != level:
            expected.append((start, now))
            level = now
        if level == 0 and reaches(compare) < stop:
            expected.append((reaches(compare), 1))
            level = 1
    expected = [e for e in expected if e[0] < end_ps]
    actual = [(ps(t), v) for t, v in edges(signals["soc.irq_timer"][1]) if ps(t) < end_ps]
    rises = sum(1 for _, v in expected if v == 1)
    print("check_vcd: %d mtimecmp writes, %d expected timer-line edges (%d rising), %d in the VCD" %
          (len(writes), len(expected), rises, len(actual)))
    if rises == 0:
        failures.append("the timer line never rises")
    if actual != expected:
        for n in range(max(len(actual), len(expected))):
            a = actual[n] if n < len(actual) else None
            e = expected[n] if n < len(expected) else None
            if a != e:
                failures.append("timer line edge %d: VCD %s, expected %s (time ps, level)" % (n, a, e))
                break

    # Timer interrupts are taken while the line is high.
    timer_cause = 0x80000007
    taken = 0
    for time, value in edges(signals["soc.cpu.interrupt"][1]):
        if value != 1 or value_at(signals["soc.cpu.mcause"][1], time) != timer_cause:
            continue
        taken += 1
        if value_at(signals["soc.irq_timer"][1], time) != 1:
            failures.append("timer interrupt taken at %d ps while the line is low" % ps(time))
    print("check_vcd: %d timer interrupts taken" % taken)
    if taken == 0:
        failures.append("no timer interrupt taken")

    # One tx pulse per printed byte, with the byte on tx_data.
    with open(args.uart, "rb") as f:
        printed = f.read()
    strobes = [t for t, v in edges(signals["soc.uart0.tx"][1]) if v == 1]
    data = bytes(value_at(signals["soc.uart0.tx_data"][1], t) for t in strobes)
    print("check_vcd: %d bytes printed, %d tx strobes" % (len(printed), len(strobes)))
    if data != printed:
        failures.append("tx strobes carry %r..., the UART printed %r..." % (data[:40], printed[:40]))

    for failure in failures:
        print("check_vcd: FAIL: " + failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
