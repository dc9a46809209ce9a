#!/usr/bin/env bash
# expect-exit.sh CODE REGEX COMMAND...: runs COMMAND and passes when it exits with CODE and its
# standard output or error matches REGEX (extended grep syntax).
set -u
expected_code=$1 pattern=$2
shift 2
output=$("$@" 2>&1)
code=$?
printf '%s\n' "$output"
if [ "$code" -ne "$expected_code" ]; then
  echo "expect-exit: exit code $code, expected $expected_code" >&2
  exit 1
fi
if ! printf '%s\n' "$output" | grep -Eq -- "$pattern"; then
  echo "expect-exit: output does not match /$pattern/" >&2
  exit 1
fi
