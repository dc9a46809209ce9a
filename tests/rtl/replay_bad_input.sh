#!/usr/bin/env bash
# replay_bad_input.sh EXPECT_EXIT REPLAY WORKDIR: nvr-rtl-replay refuses bad usage and malformed
# recordings with exit 2 and a message naming the file and line.
set -eu
expect=$1 replay=$2 work=$3
mkdir -p "$work"
"$expect" 2 'cannot read' "$replay" /nonexistent.events
printf 'hello\n' > "$work/bad1.events"
"$expect" 2 "no 'nvr-events 1' header" "$replay" "$work/bad1.events"
printf 'nvr-events 1\nI 5 0 0x1 0x2\n' > "$work/bad2.events"
"$expect" 2 'bad2.events:2: missing instruction word' "$replay" "$work/bad2.events"
printf 'nvr-events 1\nX 1\n' > "$work/bad3.events"
"$expect" 2 "bad3.events:2: unknown record 'X'" "$replay" "$work/bad3.events"
printf 'nvr-events 1\nR 0x40 4 1 7\n' > "$work/bad4.events"
"$expect" 2 'a memory read before any event' "$replay" "$work/bad4.events"
printf 'nvr-events 1\nE 10 1 2\n' > "$work/bad5.events"
"$expect" 2 "bad5.events:2: trailing '2'" "$replay" "$work/bad5.events"
printf 'nvr-events 1\nA 10 0x40 0x40 4 zz 0 0\n' > "$work/bad6.events"
"$expect" 2 "bad instruction id 'zz'" "$replay" "$work/bad6.events"
printf 'nvr-events 1\n' > "$work/bad7.events"
"$expect" 2 'no events' "$replay" "$work/bad7.events"
printf 'nvr-events 1\nL 0x40 0\n' > "$work/bad8.events"
"$expect" 2 'a cache question before any event' "$replay" "$work/bad8.events"
printf 'nvr-events 1\nE 10 1\n+I 5 0 0 0 0 0 0 0 0 0\n' > "$work/bad9.events"
"$expect" 2 'bad9.events:3: only A and F records nest' "$replay" "$work/bad9.events"
printf 'nvr-events 1\nE 10 1\n+F 1 2 0x40 0 0x0\n' > "$work/bad10.events"
"$expect" 2 'nested hooks at the end' "$replay" "$work/bad10.events"
printf 'nvr-events 1\nE 10 1\n+F 1 2 0x40 0 0x0\nL 0x40 0\n' > "$work/bad11.events"
"$expect" 2 'bad11.events:4: nested hooks outside a prefetch' "$replay" "$work/bad11.events"
"$expect" 2 'no recording given' "$replay"
"$expect" 2 'is not KEY=VALUE' "$replay" --param distance "$work/bad7.events"
"$expect" 2 "has no parameter 'colour'" "$replay" --param colour=1 "$work/bad7.events"
"$expect" 2 'unknown or incomplete option' "$replay" --frobnicate "$work/bad7.events"
echo "all bad inputs refused"
