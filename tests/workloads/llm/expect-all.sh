#!/usr/bin/env bash
# expect-all.sh CODE REGEX... -- COMMAND...: runs COMMAND and passes when it exits with CODE and
# each REGEX (extended grep syntax) matches some line of its standard output or error.
set -u
expected_code=$1
shift
patterns=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
  patterns+=("$1")
  shift
done
if [ $# -lt 2 ]; then
  echo "usage: expect-all.sh CODE REGEX... -- COMMAND..." >&2
  exit 2
fi
shift
output=$("$@" 2>&1)
code=$?
printf '%s\n' "$output"
if [ "$code" -ne "$expected_code" ]; then
  echo "expect-all: exit code $code, expected $expected_code" >&2
  exit 1
fi
for pattern in "${patterns[@]}"; do
  if ! printf '%s\n' "$output" | grep -Eq -- "$pattern"; then
    echo "expect-all: no line matches /$pattern/" >&2
    exit 1
  fi
done
