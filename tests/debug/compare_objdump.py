#!/usr/bin/env python3
"""The disassembler of nvr-vp against GNU objdump, instruction by instruction.

usage: compare_objdump.py OBJDUMP DISASM_DUMP ELF...

For every instruction of every executable section, objdump's text (mnemonic and operands, symbol
annotations removed) must equal the disassembler's. Both print aliases (li, mv, ret, beqz, csrr...)
and compressed instructions in their expanded form; the few spellings that differ are normalised
below, each with its reason.
"""
import re
import subprocess
import sys


def normalise(text):
    text = re.sub(r"\s*<[^>]*>", "", text)  # objdump's "<symbol+offset>" after targets
    text = re.sub(r"\s*#.*$", "", text)      # objdump's "# 80001234 <symbol>" comments
    text = re.sub(r"\s+", " ", text.strip())
    return text


IMMEDIATE_FORMS = {"add": "addi", "sll": "slli", "srl": "srli", "sra": "srai", "and": "andi", "or": "ori",
                   "xor": "xori", "csrw": "csrwi", "csrs": "csrsi", "csrc": "csrci", "csrrw": "csrrwi",
                   "csrrs": "csrrsi", "csrrc": "csrrci"}


def canonical(text):
    """objdump's spellings that differ from the disassembler's, for the same instruction:
    binutils 2.40 prints register-immediate operations without their "i" (add a0,a0,-4 for
    addi, csrc mstatus,8 for csrci), andi rd,rs,255 as zext.b, and undecodable words as
    .word/.short where the disassembler writes .insn 4/.insn 2."""
    parts = text.split(" ", 1)
    mnemonic, operands = parts[0], parts[1].split(",") if len(parts) > 1 else []
    if mnemonic in IMMEDIATE_FORMS and operands and re.fullmatch(r"-?(0x[0-9a-f]+|[0-9]+)", operands[-1]):
        mnemonic = IMMEDIATE_FORMS[mnemonic]
    elif mnemonic == "zext.b" and len(operands) == 2:
        mnemonic, operands = "andi", operands + ["255"]
    elif mnemonic == ".word":
        return ".insn 4, " + operands[0]
    elif mnemonic == ".short":
        return ".insn 2, " + operands[0]
    return mnemonic + (" " + ",".join(operands) if operands else "")


def objdump_instructions(objdump, elf):
    out = subprocess.run([objdump, "-d", elf], check=True, capture_output=True, text=True).stdout
    result = []
    for line in out.splitlines():
        match = re.match(r"^\s*([0-9a-f]+):\s+([0-9a-f]{4}|[0-9a-f]{8})\s+(.*)$", line)
        if match:
            result.append((int(match.group(1), 16), match.group(2), canonical(normalise(match.group(3)))))
    return result


def main():
    objdump, dump = sys.argv[1:3]
    total = mismatches = 0
    for elf in sys.argv[3:]:
        instructions = objdump_instructions(objdump, elf)
        request = "".join("%x %s\n" % (pc, word) for pc, word, _ in instructions)
        ours = subprocess.run([dump], input=request, check=True, capture_output=True, text=True).stdout.splitlines()
        if len(ours) != len(instructions):
            print("%s: %d instructions from objdump, %d disassembled" % (elf, len(instructions), len(ours)))
            return 1
        for (pc, word, theirs), line in zip(instructions, ours):
            mine = normalise(line.split(" ", 1)[1] if " " in line else "")
            total += 1
            if mine != theirs:
                mismatches += 1
                if mismatches <= int(__import__("os").environ.get("SHOW", "40")):
                    print("%s: %08x %s: objdump '%s', nvr-vp '%s'" % (elf.rsplit("/", 1)[-1], pc, word, theirs, mine))
    print("%d instructions compared, %d differ" % (total, mismatches))
    return 1 if mismatches or total == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
