#!/usr/bin/env bash
# Measures how long the fuzzer takes to find each deliberate bug of the buggy echo sample
# (examples/echo_driver, ECHO_BUG_*), starting from the seed corpus, on one core; then the
# execution rate of the correct sample's harness without sanitizers and with ASan + UBSan.
#
#   tools/fuzz-time-to-find.sh [--limit SECONDS] [--runs N] [--build DIR] [--no-seeds]
#
# --no-seeds starts from an empty corpus instead (how fast the harness alone gets there).
# --limit: give up on a bug after this long (default 120); --runs: repeat each search N times
# with different seeds and report the median (default 3). Builds clang-14 libFuzzer trees under
# DIR (default build/fuzz and build/fuzz-nosan). Prints a table; exit 1 if a bug was not found.
set -euo pipefail
cd "$(dirname "$0")/.."
limit=120
runs=3
build=build/fuzz
no_seeds=0
while [ $# -gt 0 ]; do
  case "$1" in
    --limit) limit=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    --no-seeds) no_seeds=1; shift ;;
    *) echo "usage: $0 [--limit SECONDS] [--runs N] [--build DIR] [--no-seeds]" >&2; exit 2 ;;
  esac
done
tools/install-deps.sh

configure() {  # dir, sanitize (ON/OFF), build type
  cmake -S . -B "$1" -G Ninja -DCMAKE_BUILD_TYPE="$3" -DCMAKE_C_COMPILER=clang-14 \
    -DCMAKE_CXX_COMPILER=clang++-14 -DVMBSIM_BUILD_FUZZERS=ON -DVMBSIM_FUZZ_SANITIZE="$2" \
    -DVMBSIM_BUILD_TESTS=OFF -DVMBSIM_BUILD_BENCH=OFF >/dev/null
}
configure "$build" ON RelWithDebInfo
configure "$build-nosan" OFF Release
bugs=$(sed -n 's/^set(VMBSIM_ECHO_BUG_KINDS \(.*\)$/\1/p' examples/echo_driver/CMakeLists.txt)
targets=echo_fuzzer
for b in $bugs; do targets="$targets buggy_echo_${b}_fuzzer"; done
# shellcheck disable=SC2086
cmake --build "$build" --target $targets >/dev/null
cmake --build "$build-nosan" --target echo_fuzzer >/dev/null

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
seeds=examples/echo_driver/fuzz_corpus
if [ "$no_seeds" = 1 ]; then
  mkdir -p "$work/empty"
  seeds="$work/empty"
fi
failed=0
printf '%-22s %10s %10s  %s\n' "bug" "median s" "worst s" "found as"
for b in $bugs; do
  times=()
  found=""
  for run in $(seq 1 "$runs"); do
    rm -rf "$work/corpus" "$work/art" && mkdir -p "$work/corpus" "$work/art"
    start=$(date +%s.%N)
    "$build/examples/echo_driver/buggy_echo_${b}_fuzzer" "$work/corpus" "$seeds" -seed="$run" \
      -max_total_time="$limit" -artifact_prefix="$work/art/" >"$work/log" 2>&1 || true
    end=$(date +%s.%N)
    if ls "$work/art" | grep -q .; then
      times+=("$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')")
      found=$(grep -m1 -oE 'KMCL-R[0-9]+|SIM-HANG|AddressSanitizer: [a-z-]+|UndefinedBehaviorSanitizer|FINDING: [a-z]+' "$work/log" || true)
    else
      times+=("$limit+")
      failed=1
    fi
  done
  sorted=$(printf '%s\n' "${times[@]}" | sort -g)
  median=$(echo "$sorted" | sed -n "$(( (runs + 1) / 2 ))p")
  worst=$(echo "$sorted" | tail -1)
  printf '%-22s %10.2f %10s  %s\n' "$b" "${median%+}" "$worst" "${found:-not found}"
done

rate() {  # binary -> exec/s over 20 s from the seeds
  rm -rf "$work/corpus" && mkdir -p "$work/corpus"
  "$1" "$work/corpus" examples/echo_driver/fuzz_corpus -max_total_time=20 -print_final_stats=1 2>&1 |
    sed -n 's/^stat::average_exec_per_sec: *//p'
}
echo
echo "echo_fuzzer (correct sample), one core, 20 s from the seeds:"
echo "  without sanitizers: $(rate "$build-nosan/examples/echo_driver/echo_fuzzer") exec/s"
echo "  ASan + UBSan:       $(rate "$build/examples/echo_driver/echo_fuzzer") exec/s"
exit $failed
