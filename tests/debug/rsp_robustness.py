#!/usr/bin/env python3
"""Malformed, oversized, out-of-order and random input to nvr-vp's GDB stub, then valid packets.

usage: rsp_robustness.py NVR_VP FIRMWARE WORKDIR [kill|quit]

Starts nvr-vp with --gdb 0 --gdb-wait (the port is read from its standard error), talks to the stub
over TCP with the standard library only, and checks that every bad input gets the documented
answer ('-' for a bad checksum, an E packet for a bad command, nothing for garbage) and that the
stub still answers `?` and `g` correctly afterwards. Bus errors in memory accesses are E packets.
Every wait has a timeout, so a hang fails the test instead of blocking CI.
"""
import os
import random
import re
import socket
import subprocess
import sys
import time

TIMEOUT = 10.0
failures = []


def check(condition, what):
    print(("ok   " if condition else "FAIL ") + what)
    if not condition:
        failures.append(what)


def checksum(payload: bytes) -> bytes:
    return b"%02x" % (sum(payload) & 0xFF)


def frame(payload: bytes) -> bytes:
    return b"$" + payload + b"#" + checksum(payload)


class client:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        self.buffer = b""

    def send(self, data: bytes):
        self.sock.sendall(data)

    def _fill(self, deadline):
        self.sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            return False
        if not data:
            raise EOFError("the stub closed the connection")
        self.buffer += data
        return True

    def read_byte(self, timeout=TIMEOUT):
        deadline = time.monotonic() + timeout
        while not self.buffer:
            if time.monotonic() > deadline or not self._fill(deadline):
                return None
        byte, self.buffer = self.buffer[:1], self.buffer[1:]
        return byte

    def read_packet(self, timeout=TIMEOUT):
        """The next packet's payload (acks before it are skipped); None on timeout."""
        deadline = time.monotonic() + timeout
        while True:
            start = self.buffer.find(b"$")
            end = self.buffer.find(b"#", start) if start >= 0 else -1
            if start >= 0 and end >= 0 and len(self.buffer) >= end + 3:
                payload = self.buffer[start + 1:end]
                good = self.buffer[end + 1:end + 3] == checksum(payload)
                self.buffer = self.buffer[end + 3:]
                self.send(b"+" if good else b"-")
                if good:
                    return payload
                continue
            if time.monotonic() > deadline or not self._fill(deadline):
                return None

    def command(self, payload: bytes, timeout=TIMEOUT):
        self.send(frame(payload))
        return self.read_packet(timeout)

    def quiet(self, seconds=0.3):
        """Whatever arrives within `seconds` (to check that nothing does)."""
        deadline = time.monotonic() + seconds
        while self._fill(deadline):
            pass
        data, self.buffer = self.buffer, b""
        return data


def start(vp, firmware, work):
    err_path = os.path.join(work, "rsp_robustness.stderr")
    err = open(err_path, "w")
    proc = subprocess.Popen([vp, "--gdb", "0", "--gdb-wait", "--uart-out", os.path.join(work, "rsp.uart"),
                             firmware], stdout=subprocess.DEVNULL, stderr=err)
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        match = re.search(r"listening on 127\.0\.0\.1:(\d+)", open(err_path).read())
        if match:
            return proc, int(match.group(1))
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    proc.kill()
    sys.exit("nvr-vp did not print its port: " + open(err_path).read())


def alive(gdb, what):
    reply = gdb.command(b"?")
    check(reply is not None and re.fullmatch(rb"T[0-9a-f]{2}.*", reply) is not None, what + ": '?' answers " + repr(reply))


def main():
    vp, firmware, work = sys.argv[1:4]
    mode = sys.argv[4] if len(sys.argv) > 4 else "kill"
    os.makedirs(work, exist_ok=True)
    proc, port = start(vp, firmware, work)
    try:
        gdb = client(port)
        reply = gdb.command(b"qSupported:multiprocess+;swbreak+;hwbreak+")
        check(reply is not None and b"PacketSize=4000" in reply, "qSupported announces PacketSize: %r" % reply)
        alive(gdb, "first contact")
        registers = gdb.command(b"g")
        check(registers is not None and re.fullmatch(rb"[0-9a-f]{264}", registers) is not None,
              "g: 33 registers of 4 bytes")

        # Bad checksums: a '-' each, no reply packet.
        for bad in (b"$g#00", b"$?#zz", b"$m80000000,4#ff"):
            gdb.send(bad)
            check(gdb.read_byte() == b"-", "bad checksum %r answered with '-'" % bad)
            check(gdb.quiet(0.2) == b"", "nothing else after %r" % bad)
        alive(gdb, "after bad checksums")

        # Garbage between packets: ignored.
        gdb.send(b"hello, world\r\n+-+")  # '-' asks for the last reply again
        gdb.quiet(0.3)
        alive(gdb, "after garbage")

        # Oversized: consumed to its end, then E02.
        big = b"M80000000,4000:" + b"00" * 0x2800
        reply = gdb.command(big)
        check(reply == b"E02", "oversized packet: E02, got %r" % (reply[:20] if reply else reply))
        alive(gdb, "after an oversized packet")

        # Truncated: a packet abandoned by a new '$'.
        gdb.send(b"$m80000000,4$?#3f")
        reply = gdb.read_packet()
        check(reply is not None and reply.startswith(b"T"), "truncated packet, then '?': %r" % reply)

        # Malformed commands: E packets, unknown ones the empty packet.
        for payload, expected in ((b"m", b"E01"), (b"mzz,4", b"E01"), (b"m80000000", b"E01"), (b"m0,0", b"E01"),
                                  (b"M80000000,4:0", b"E01"), (b"X80000000,2:}", b"E01"), (b"pzz", b"E01"),
                                  (b"p1000", b"E04"), (b"P20=00", b"E01"), (b"G00", b"E01"), (b"Z9,0,0", b""),
                                  (b"Z0,80000000", b"E01"), (b"Hx", b"E01"), (b"vCont;x", b"E01"),
                                  (b"qXfer:features:read:nosuch.xml:0,100", b"E00"), (b"", b"E01"),
                                  (b"b", b""), (b"qNoSuchQuery", b""), (b"vMustReplyEmpty", b""),
                                  (b"c12345678901234567", b"E01"), (b"Cxx", b"E01")):
            reply = gdb.command(payload)
            check(reply == expected, "%r -> %r (got %r)" % (payload, expected, reply))

        # Out of order: removing points never inserted, acks with nothing outstanding, a second
        # client while one is connected.
        check(gdb.command(b"z0,80000000,4") == b"OK", "removing an absent breakpoint")
        check(gdb.command(b"z2,80000000,4") == b"OK", "removing an absent watchpoint")
        gdb.send(b"++++")
        second = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        second.settimeout(3)
        try:
            closed = second.recv(16) == b""
        except (ConnectionResetError, socket.timeout):
            closed = True
        second.close()
        check(closed, "a second debugger is turned away")
        alive(gdb, "after out-of-order input")

        # Random bytes (seeded): no '#', so they can never complete a packet that does something.
        rng = random.Random(20261127)
        for _ in range(50):
            noise = bytes(rng.choice([b for b in range(256) if b not in (ord("#"),)]) for _ in range(rng.randint(1, 600)))
            gdb.send(noise)
        gdb.quiet(0.5)
        # Random well-formed packets of harmless commands (no resume, kill, detach or writes).
        for _ in range(200):
            head = rng.choice(b"gmpqQzHT?bxyA")
            body = bytes(rng.choice(b"0123456789abcdefxyz,:;.-") for _ in range(rng.randint(0, 40)))
            reply = gdb.command(bytes([head]) + body)
            if reply is None:
                check(False, "random packet %r got no reply" % (bytes([head]) + body))
                break
        alive(gdb, "after random input")
        registers_after = gdb.command(b"g")
        check(registers_after == registers, "g unchanged after all that")

        # Bus errors: E packets; registers and memory work.
        check(gdb.command(b"m0,4") == b"E0e", "read of an unmapped address: E0e")
        check(gdb.command(b"M0,4:01020304") == b"E0e", "write to an unmapped address: E0e")
        check(gdb.command(b"X0,1:a") == b"E0e", "binary write to an unmapped address: E0e")
        reply = gdb.command(b"m10000005,1")
        check(reply is not None and re.fullmatch(rb"[0-9a-f]{2}", reply) is not None,
              "UART line status register readable: %r" % reply)
        reply = gdb.command(b"m2004000,8")
        check(reply is not None and re.fullmatch(rb"[0-9a-f]{16}", reply) is not None, "CLINT mtimecmp: %r" % reply)
        check(gdb.command(b"M80000100,4:78563412") == b"OK", "DRAM write")
        check(gdb.command(b"m80000100,4") == b"78563412", "DRAM read back")
        check(gdb.command(b"X80000104,2:" + bytes([0x7d, 0x23 ^ 0x20, 0x41])) == b"OK", "binary write with an escape")
        check(gdb.command(b"m80000104,2") == b"2341", "binary write read back")
        check(gdb.command(b"p20") is not None, "p pc")

        # Simulated time stands still while halted: mtime (CLINT) does not move.
        before = gdb.command(b"m200bff8,8")
        time.sleep(0.5)
        check(before is not None and gdb.command(b"m200bff8,8") == before, "mtime frozen while halted")

        # While running, commands are refused; Ctrl-C halts with SIGINT.
        gdb.send(frame(b"vCont;c"))
        check(gdb.read_byte() == b"+", "vCont;c acknowledged")
        check(gdb.quiet(0.3) == b"", "no stop reply while running")
        reply = gdb.command(b"g")
        check(reply == b"E03", "g while running: E03, got %r" % reply)
        gdb.send(b"\x03")
        reply = gdb.read_packet()
        check(reply is not None and reply.startswith(b"T02"), "Ctrl-C: T02, got %r" % reply)
        alive(gdb, "after Ctrl-C")
        before = gdb.command(b"m200bff8,8")
        time.sleep(0.5)
        check(before is not None and gdb.command(b"m200bff8,8") == before, "mtime frozen after Ctrl-C")

        # monitor commands: help, reset (pc back to the entry), unknown ones.
        reply = gdb.command(b"qRcmd," + b"help".hex().encode())
        check(reply is not None and b"reset" in bytes.fromhex(reply.decode()), "monitor help")
        reply = gdb.command(b"qRcmd," + b"reset".hex().encode())
        check(reply is not None and b"reset" in bytes.fromhex(reply.decode()), "monitor reset")
        check(gdb.command(b"p20") == b"00000080", "pc at the entry after monitor reset")
        reply = gdb.command(b"qRcmd," + b"frobnicate".hex().encode())
        check(reply is not None and b"unknown monitor command" in bytes.fromhex(reply.decode()), "unknown monitor command")
        check(gdb.command(b"qRcmd,zz") == b"E01", "monitor command that is not hex")

        # Detach: the firmware runs on; a new debugger halts it wherever it is.
        check(gdb.command(b"D") == b"OK", "detach")
        gdb.sock.close()
        time.sleep(0.3)
        gdb = client(port)
        alive(gdb, "a new debugger after detach")
        pc = gdb.command(b"p20")
        check(pc is not None and pc != b"00000080", "the firmware ran after the detach (pc %r)" % pc)

        if mode == "quit":
            reply = gdb.command(b"qRcmd," + b"quit".hex().encode())
            check(reply is not None and b"ending" in bytes.fromhex(reply.decode()), "monitor quit")
        else:
            gdb.send(frame(b"k"))  # no reply: the simulation ends
        code = proc.wait(timeout=TIMEOUT)
        check(code == 130, "exit code after %s: %d" % (mode, code))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    if failures:
        print("%d check(s) failed" % len(failures))
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
