#!/usr/bin/env bash
# same_results.sh OUTDIR PREFETCHER... -- NVR-VP ARGS...: runs `NVR-VP --prefetcher NAME --uart-out
# OUTDIR/NAME.uart ARGS...` (firmware npu_kernels) once per prefetcher, where PREFETCHER is NAME or
# NAME:KEY=VALUE,KEY=VALUE (each a --prefetcher-param); each run must exit 0 and
# report 0 failures, and the printed per-case lines must be identical once the cycle figures are
# removed (a prefetcher never changes results).
set -u
out=$1
shift
prefetchers=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
  prefetchers+=("$1")
  shift
done
shift
[ $# -gt 0 ] && [ ${#prefetchers[@]} -gt 1 ] || { echo "usage: $0 OUTDIR PREFETCHER... -- COMMAND..." >&2; exit 64; }
vp=$1
shift
mkdir -p "$out"
for p in "${prefetchers[@]}"; do
  args=(--prefetcher "${p%%:*}")
  if [ "$p" != "${p%%:*}" ]; then
    IFS=, read -r -a params <<< "${p#*:}"
    for kv in "${params[@]}"; do args+=(--prefetcher-param "$kv"); done
  fi
  if ! "$vp" "${args[@]}" --uart-out "$out/$p.out" "$@" > "$out/$p.log" 2>&1; then
    cat "$out/$p.log" "$out/$p.out"
    echo "same_results: the run with --prefetcher $p failed" >&2
    exit 1
  fi
  grep -Eq '[0-9]+ cases, [0-9]+ NPU cycles, 0 failure' "$out/$p.out" ||
    { cat "$out/$p.out"; echo "same_results: --prefetcher $p reports failures" >&2; exit 1; }
  # Cycle counts and busy figures depend on the prefetcher; names, PASS/FAIL and counts must not.
  sed -E -e 's/ +[0-9]+ cycles.*$//' -e 's/ [0-9]+ NPU cycles,/ - NPU cycles,/' \
    "$out/$p.out" > "$out/$p.results"
  grep -c PASS "$out/$p.results" > /dev/null || { echo "same_results: no PASS line for $p" >&2; exit 1; }
done
first=${prefetchers[0]}
for p in "${prefetchers[@]:1}"; do
  if ! diff -u "$out/$first.results" "$out/$p.results"; then
    echo "same_results: --prefetcher $p printed other results than --prefetcher $first" >&2
    exit 1
  fi
done
echo "same results with: ${prefetchers[*]} ($(grep -c PASS "$out/$first.results") PASS lines)"
